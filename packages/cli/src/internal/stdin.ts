/**
 * Standard input, read whole as UTF-8 text. A service so that tests can give the text directly.
 *
 * @internal
 */
import { Context, Effect, Layer } from "effect"

/** @internal */
export class Stdin extends Context.Tag("@account-activity/cli/Stdin")<
  Stdin,
  { readonly text: Effect.Effect<string, Error>; readonly isTTY: Effect.Effect<boolean> }
>() {}

/** The process's standard input. @internal */
export const processStdin: Context.Tag.Service<Stdin> = {
  isTTY: Effect.sync(() => process.stdin.isTTY === true),
  text: Effect.async<string, Error>((resume) => {
    const chunks: Array<Buffer> = []
    const onData = (chunk: Buffer | string) => {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = (error: Error) => {
      cleanup()
      resume(Effect.fail(error))
    }
    const cleanup = () => {
      process.stdin.off("data", onData)
      process.stdin.off("end", onEnd)
      process.stdin.off("error", onError)
    }
    process.stdin.on("data", onData)
    process.stdin.on("end", onEnd)
    process.stdin.on("error", onError)
    process.stdin.resume()
    return Effect.sync(() => {
      cleanup()
      process.stdin.pause()
    })
  })
}

/** Text given in advance (tests). @internal */
export const layerText = (text: string): Layer.Layer<Stdin> =>
  Layer.succeed(Stdin, { isTTY: Effect.succeed(false), text: Effect.succeed(text) })

/** The `Stdin` in context, else the process's. @internal */
export const stdin: Effect.Effect<Context.Tag.Service<Stdin>> = Effect.map(Effect.serviceOption(Stdin), (found) =>
  found._tag === "Some" ? found.value : processStdin
)
