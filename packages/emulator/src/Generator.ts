/**
 * The activity generator: realistic webhook bodies for the 19 activity kinds of the Account Activity API,
 * deterministic from a seed.
 *
 * Given the subscribed users and some other users, `generate(kind)` makes one {@link Activity}: who it
 * concerns (the fan-out: a mention of B by A, both subscribed, concerns both) and the exact JSON body each
 * of them receives. Bodies are written the way X writes them: Tweet ids as exact 19-digit numbers in `id`
 * next to `id_str`, `/` escaped as `\/`, non-ASCII and `<>&` escaped as `\uXXXX`; string `timestamp_ms` in
 * Tweets and a number in favorites; follow/block/mute users with a string `id` and `-1` colours; `users`
 * and `apps` maps in Direct Message events; no `for_user_id` in a revoke.
 *
 * The same seed, the same calls and the same `Clock` give byte-identical bodies.
 *
 * @since 0.1.0
 */
import { ActivityEvent } from "@account-activity/core"
import { Clock, Context, Effect, Either, Layer, Schema } from "effect"
import { type Json, stringify } from "./internal/generatorJson.js"
import * as P from "./internal/generatorPayloads.js"
import * as Random from "./internal/generatorRandom.js"

/**
 * The 19 activity kinds X delivers (the Enterprise list), named like the `_tag` of the `ActivityEvent` the
 * body decodes to for the user it is about.
 *
 * @since 0.1.0
 * @category models
 */
export const Kind = ActivityEvent.ActivityKind
/**
 * @since 0.1.0
 * @category models
 */
export type Kind = typeof Kind.Type

/**
 * Every kind, in a fixed order.
 *
 * @since 0.1.0
 * @category models
 */
export const kinds: ReadonlyArray<Kind> = Kind.literals

/**
 * `"by"`: the user did it (author, liker, follower…); `"of"`: it was done to the user.
 *
 * @since 0.1.0
 * @category models
 */
export type Direction = ActivityEvent.Direction

/**
 * A user: the id (decimal digits), the screen name and, optionally, the display name.
 *
 * @since 0.1.0
 * @category models
 */
export interface Actor {
  readonly id: string
  readonly screenName: string
  readonly name?: string | undefined
}

/**
 * Who receives an activity, and as what: the `_tag` (and `direction`, on kinds that have one) that
 * `decodeDelivery` gives for `bodyFor(forUserId)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recipient {
  readonly forUserId: string
  readonly tag: ActivityEvent.Tag
  readonly direction?: Direction | undefined
}

/**
 * One generated activity.
 *
 * @since 0.1.0
 * @category models
 */
export interface Activity {
  /** Unique within the generator (a snowflake), for logs and replay. */
  readonly id: string
  readonly kind: Kind
  /** Epoch milliseconds, from `Clock`. */
  readonly createdAt: number
  /** The subscribed users it is delivered to, the user it is about first. */
  readonly concerns: ReadonlyArray<string>
  /** The same users, with the event each one decodes. */
  readonly recipients: ReadonlyArray<Recipient>
  /** The exact JSON POST body for one of the `concerns`. */
  readonly bodyFor: (forUserId: string) => string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  /** The subscribed user the activity is about. Default: one picked from the seed. */
  readonly forUserId?: string | undefined
  /** The other party (another subscribed user gives a fan-out). Default: one picked from the seed. */
  readonly counterpartId?: string | undefined
  /** For kinds that go both ways. Default: one picked from the seed. */
  readonly direction?: Direction | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The seed: the same seed gives the same activities. */
  readonly seed: string | number
  /** The subscribed users (at least one). */
  readonly subscribed: ReadonlyArray<Actor>
  /** Other users (not subscribed). Default: three fictional users. */
  readonly others?: ReadonlyArray<Actor> | undefined
  /** The app of revokes and of Direct Messages sent through an app. Default: `13090192`, "SupportDeskApp". */
  readonly app?: { readonly id: string; readonly name: string; readonly url?: string | undefined } | undefined
  /**
   * Also deliver unfollow, block, unblock, mute and unmute to their target (v2 docs: "by user or of
   * user"). Default `false`: only to the user who did it, as the v1.1 Enterprise list says.
   */
  readonly targetsReceiveActions?: boolean | undefined
  /** How often a default counterpart is another subscribed user (a fan-out), from 0 to 1. Default: 0.25. */
  readonly fanOut?: number | undefined
}

/**
 * Why an activity could not be generated.
 *
 * @since 0.1.0
 * @category errors
 */
export class GeneratorError extends Schema.TaggedError<GeneratorError>("@account-activity/emulator/GeneratorError")(
  "GeneratorError",
  {
    reason: Schema.Literal("InvalidActors", "NotSubscribed", "UnknownUser", "SameUser", "UnsupportedDirection"),
    detail: Schema.String
  }
) {
  override get message(): string {
    const messages: Record<typeof this.reason, string> = {
      InvalidActors: `The generator's users are not usable: ${this.detail}. Give at least one subscribed user, ids of 1 to 19 digits, screen names of 1 to 15 letters, digits or underscores, and no id twice.`,
      NotSubscribed: `${this.detail} is not a subscribed user of the generator. Pass forUserId of one of the subscribed users.`,
      UnknownUser: `${this.detail} is neither a subscribed nor an other user of the generator. Pass a counterpartId the generator knows.`,
      SameUser: `The counterpart ${this.detail} is the user the activity is about. Pass another counterpartId, or add users to the generator.`,
      UnsupportedDirection: `${this.detail}. Leave direction out, or set targetsReceiveActions for "of" on unfollow, block, unblock, mute and unmute.`
    }
    return messages[this.reason]
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** One activity of `kind`, at the current `Clock` time. */
  readonly generate: (kind: Kind, options?: GenerateOptions) => Effect.Effect<Activity, GeneratorError>
  /**
   * `n` activities of kinds picked from the seed, each block of 19 being a permutation of all kinds (so
   * every kind appears), with directions, users and counterparts picked from the seed.
   */
  readonly random: (n: number) => Effect.Effect<ReadonlyArray<Activity>>
}

/**
 * The generator as a service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Generator extends Context.Tag("@account-activity/emulator/Generator")<Generator, Service>() {}

const DEFAULT_OTHERS: ReadonlyArray<Actor> = [
  { id: "3001969357", screenName: "furiouscamper", name: "Jordan Brinks" },
  { id: "1349149096909668363", screenName: "zoe_builds", name: "Zoë Martín" },
  { id: "992867504739323904", screenName: "kenji_tanaka", name: "田中 健二" }
]

const twoWay: ReadonlySet<Kind> = new Set<Kind>(["Reply", "Retweet", "QuoteTweet", "RetweetOfQuote", "Like", "Follow"])
const actions: ReadonlySet<Kind> = new Set<Kind>(["Unfollow", "Block", "Unblock", "Mute", "Unmute"])

/**
 * The directions a kind can be generated with (empty for kinds whose event has no direction).
 *
 * @since 0.1.0
 * @category models
 */
export const directions = (kind: Kind, targetsReceiveActions = false): ReadonlyArray<Direction> =>
  twoWay.has(kind) || (actions.has(kind) && targetsReceiveActions)
    ? ["by", "of"]
    : actions.has(kind) || kind === "Tweet"
      ? ["by"]
      : kind === "Mention"
        ? ["of"]
        : []

const needsCounterpart = (kind: Kind) => kind !== "Tweet" && kind !== "TweetDelete" && kind !== "SubscriptionRevoke"

const actionKey: Partial<Record<Kind, "follow_events" | "block_events" | "mute_events">> = {
  Follow: "follow_events",
  Unfollow: "follow_events",
  Block: "block_events",
  Unblock: "block_events",
  Mute: "mute_events",
  Unmute: "mute_events"
}

const REPLAY_DESCRIPTIONS = {
  Complete: "Job completed successfully",
  Incomplete: "Job failed to deliver all events, please retry your replay job"
} as const

/**
 * The body of a `replay_job_status` delivery (no `for_user_id`), with X's exact descriptions.
 *
 * @since 0.1.0
 * @category bodies
 */
export const replayJobStatusBody = (options: {
  readonly webhookId: string
  readonly jobId: string
  readonly state: "Complete" | "Incomplete"
}): string =>
  stringify({
    replay_job_status: {
      webhook_id: options.webhookId,
      job_state: options.state,
      job_state_description: REPLAY_DESCRIPTIONS[options.state],
      job_id: options.jobId
    }
  })

interface Past {
  readonly id: string
  readonly createdAt: number
  readonly text: string
  readonly lang: string
  readonly source: string
}

const validate = (options: Options): Either.Either<void, GeneratorError> => {
  const fail = (detail: string) => Either.left(new GeneratorError({ reason: "InvalidActors", detail }))
  if (options.subscribed.length === 0) return fail("no subscribed user")
  const seen = new Set<string>()
  for (const actor of [...options.subscribed, ...(options.others ?? DEFAULT_OTHERS)]) {
    if (!/^[0-9]{1,19}$/.test(actor.id)) return fail(`the id "${actor.id}" is not 1 to 19 digits`)
    if (!/^[A-Za-z0-9_]{1,15}$/.test(actor.screenName)) return fail(`the screen name "${actor.screenName}" is invalid`)
    if (seen.has(actor.id)) return fail(`the id ${actor.id} appears twice`)
    seen.add(actor.id)
  }
  if (options.app !== undefined && !/^[0-9]{1,19}$/.test(options.app.id)) {
    return fail(`the app id "${options.app.id}" is not 1 to 19 digits`)
  }
  return Either.void
}

/**
 * Builds a generator. Fails with `InvalidActors` when the users are not usable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, GeneratorError> =>
  Effect.map(validate(options), () => unsafeMake(options))

const unsafeMake = (options: Options): Service => {
  const seed = String(options.seed)
  const random = Random.make(`${seed}\u0000generator`)
  const nextId = P.snowflakes(random.int(1024))
  const subscribed = options.subscribed.map((actor) => P.profile(seed, actor))
  const others = (options.others ?? DEFAULT_OTHERS).map((actor) => P.profile(seed, actor))
  const everyone = new Map([...subscribed, ...others].map((p) => [p.id, p]))
  const subscribedIds = new Set(subscribed.map((p) => p.id))
  const app = { id: "13090192", name: "SupportDeskApp", url: "https://example.com/supportdesk", ...options.app }
  const targetsReceiveActions = options.targetsReceiveActions ?? false
  const fanOut = options.fanOut ?? 0.25
  const history = new Map<string, Array<Past>>()
  const lastDirectMessage = new Map<string, string>()
  const isSubscribed = (p: P.Profile) => subscribedIds.has(p.id)

  const remember = (author: P.Profile, past: Past) => {
    const list = history.get(author.id) ?? []
    list.push(past)
    if (list.length > 20) list.shift()
    history.set(author.id, list)
  }

  /** A Tweet the author posted earlier: one generated before, or a new one from a few hours ago. */
  const earlier = (author: P.Profile, now: number): Past => {
    const list = history.get(author.id)
    if (list !== undefined && list.length > 0) return random.pick(list)
    const text = random.pick(P.TWEET_TEXTS)
    const createdAt = Math.max(0, now - random.between(60, 6 * 3600) * 1000)
    const past = { id: nextId(createdAt), createdAt, text: text.text, lang: text.lang, source: random.pick(P.SOURCES) }
    remember(author, past)
    return past
  }

  const pastTweet = (author: P.Profile, past: Past, counts?: { retweets: number; favorites: number }): Json =>
    P.tweet({ ...past, author, topLevel: false, counts })

  const thirdParty = (a: P.Profile, b: P.Profile): P.Profile => {
    const pool = [...others, ...subscribed].filter((p) => p.id !== a.id && p.id !== b.id)
    return pool.length === 0 ? b : random.pick(pool)
  }

  const tco = () => `https://t.co/${random.alnum(10)}`

  const resolve = (kind: Kind, request: GenerateOptions) =>
    Either.gen(function* () {
      const allowed = directions(kind, targetsReceiveActions)
      if (request.direction !== undefined && !allowed.includes(request.direction)) {
        return yield* Either.left(
          new GeneratorError({
            reason: "UnsupportedDirection",
            detail:
              allowed.length === 0
                ? `${kind} has no direction`
                : `${kind} can only be generated with direction ${allowed.map((d) => `"${d}"`).join(" or ")}`
          })
        )
      }
      let user: P.Profile
      if (request.forUserId !== undefined) {
        const found = subscribed.find((p) => p.id === request.forUserId)
        if (found === undefined) {
          return yield* Either.left(new GeneratorError({ reason: "NotSubscribed", detail: request.forUserId }))
        }
        user = found
      } else {
        user = random.pick(subscribed)
      }
      let counterpart: P.Profile = user
      if (needsCounterpart(kind)) {
        if (request.counterpartId !== undefined) {
          const found = everyone.get(request.counterpartId)
          if (found === undefined) {
            return yield* Either.left(new GeneratorError({ reason: "UnknownUser", detail: request.counterpartId }))
          }
          if (found.id === user.id) {
            return yield* Either.left(new GeneratorError({ reason: "SameUser", detail: found.id }))
          }
          counterpart = found
        } else {
          const otherSubscribed = subscribed.filter((p) => p.id !== user.id)
          const pool =
            otherSubscribed.length > 0 && (others.length === 0 || random.chance(fanOut)) ? otherSubscribed : others
          if (pool.length === 0) {
            return yield* Either.left(
              new GeneratorError({ reason: "SameUser", detail: `${user.id} (the generator knows no other user)` })
            )
          }
          counterpart = random.pick(pool)
        }
      }
      const direction = request.direction ?? (allowed.length === 0 ? undefined : random.pick(allowed))
      return { user, counterpart, direction }
    })

  const build = (
    kind: Kind,
    now: number,
    user: P.Profile,
    counterpart: P.Profile,
    direction: Direction | undefined
  ) => {
    const by = direction !== "of"
    const actor = by ? user : counterpart
    const object = by ? counterpart : user
    const recipients: Array<Recipient> = []
    const add = (p: P.Profile, tag: ActivityEvent.Tag, dir?: Direction) => {
      if (isSubscribed(p) && !recipients.some((r) => r.forUserId === p.id)) {
        recipients.push(dir === undefined ? { forUserId: p.id, tag } : { forUserId: p.id, tag, direction: dir })
      }
    }
    // the user the activity is about comes first
    const both = (tag: ActivityEvent.Tag) => {
      if (by) {
        add(actor, tag, "by")
        add(object, tag, "of")
      } else {
        add(object, tag, "of")
        add(actor, tag, "by")
      }
    }
    let payload: Record<string, Json> = {}
    let withForUser = true
    let flagFor: string | undefined

    switch (kind) {
      case "Tweet": {
        const text = random.pick(P.TWEET_TEXTS)
        const id = nextId(now)
        const withLink = random.chance(0.3)
        const link = tco()
        const full = withLink ? `${text.text} ${link}` : text.text
        const path = `posts/${random.between(1, 9999)}`
        const source = random.pick(P.SOURCES)
        remember(user, { id, createdAt: now, text: full, lang: text.lang, source })
        payload = {
          tweet_create_events: [
            P.tweet({
              id,
              createdAt: now,
              text: full,
              lang: text.lang,
              source,
              author: user,
              topLevel: true,
              urls: withLink
                ? [
                    {
                      url: link,
                      expanded: `https://example.com/${path}`,
                      display: `example.com/${path}`,
                      start: Array.from(text.text).length + 1
                    }
                  ]
                : []
            })
          ]
        }
        add(user, "Tweet", "by")
        break
      }
      case "TweetDelete": {
        let deleted = history.get(user.id)?.pop()
        if (deleted === undefined) {
          deleted = earlier(user, now)
          history.get(user.id)?.pop()
        }
        payload = {
          tweet_delete_events: [{ status: { id: deleted.id, user_id: user.id }, timestamp_ms: String(now) }]
        }
        add(user, "TweetDelete")
        break
      }
      case "Mention": {
        const author = counterpart
        const said = random.pick(P.REPLY_TEXTS)
        const text = `@${user.screenName} ${said.text}`
        const id = nextId(now)
        const source = random.pick(P.SOURCES)
        remember(author, { id, createdAt: now, text, lang: said.lang, source })
        payload = {
          tweet_create_events: [
            P.tweet({
              id,
              createdAt: now,
              text,
              lang: said.lang,
              source,
              author,
              topLevel: true,
              mentions: [{ user, start: 0 }]
            })
          ]
        }
        flagFor = user.id
        add(user, "Mention", "of")
        add(author, "Tweet", "by")
        break
      }
      case "Reply": {
        const original = earlier(object, now)
        const said = random.pick(P.REPLY_TEXTS)
        const text = `@${object.screenName} ${said.text}`
        const id = nextId(now)
        const source = random.pick(P.SOURCES)
        remember(actor, { id, createdAt: now, text, lang: said.lang, source })
        payload = {
          tweet_create_events: [
            P.tweet({
              id,
              createdAt: now,
              text,
              lang: said.lang,
              source,
              author: actor,
              topLevel: true,
              inReplyTo: { statusId: original.id, user: object },
              mentions: [{ user: object, start: 0 }],
              displayTextRange: [object.screenName.length + 2, Array.from(text).length]
            })
          ]
        }
        both("Reply")
        break
      }
      case "Retweet": {
        const original = earlier(object, now)
        const text = `RT @${object.screenName}: ${original.text}`
        payload = {
          tweet_create_events: [
            P.tweet({
              id: nextId(now),
              createdAt: now,
              text,
              lang: original.lang,
              source: random.pick(P.SOURCES),
              author: actor,
              topLevel: true,
              mentions: [{ user: object, start: 3 }],
              retweeted: pastTweet(object, original, {
                retweets: random.between(1, 50),
                favorites: random.between(0, 90)
              })
            })
          ]
        }
        both("Retweet")
        break
      }
      case "QuoteTweet":
      case "RetweetOfQuote": {
        // QuoteTweet: `actor` quotes `object`. RetweetOfQuote: `actor` retweets a quote by `object` of a third user.
        const quoter = kind === "QuoteTweet" ? actor : object
        const quotedAuthor = kind === "QuoteTweet" ? object : thirdParty(actor, object)
        const original = earlier(quotedAuthor, now)
        const comment = random.pick(P.QUOTE_TEXTS)
        const link = tco()
        const permalink = `https://twitter.com/${quotedAuthor.screenName}/status/${original.id}`
        const text = `${comment.text} ${link}`
        const quoteCreatedAt = kind === "QuoteTweet" ? now : Math.max(original.createdAt, now - 60_000)
        const quoteId = nextId(quoteCreatedAt)
        const quoteSpec = {
          id: quoteId,
          createdAt: quoteCreatedAt,
          text,
          lang: comment.lang,
          source: random.pick(P.SOURCES),
          author: quoter,
          urls: [
            {
              url: link,
              expanded: permalink,
              display: `twitter.com/${quotedAuthor.screenName}/…`,
              start: Array.from(comment.text).length + 1
            }
          ],
          quoted: { tweet: pastTweet(quotedAuthor, original), id: original.id, permalink, url: link }
        }
        if (kind === "QuoteTweet") {
          remember(quoter, { id: quoteId, createdAt: now, text, lang: comment.lang, source: quoteSpec.source })
          payload = { tweet_create_events: [P.tweet({ ...quoteSpec, topLevel: true })] }
          both("QuoteTweet")
        } else {
          payload = {
            tweet_create_events: [
              P.tweet({
                id: nextId(now),
                createdAt: now,
                text: `RT @${quoter.screenName}: ${text}`,
                lang: comment.lang,
                source: random.pick(P.SOURCES),
                author: actor,
                topLevel: true,
                mentions: [{ user: quoter, start: 3 }],
                retweeted: P.tweet({ ...quoteSpec, topLevel: false, counts: { retweets: 1, favorites: 0 } })
              })
            ]
          }
          both("RetweetOfQuote")
        }
        break
      }
      case "Like": {
        const liked = earlier(object, now)
        payload = {
          favorite_events: [
            {
              id: random.hex(32),
              created_at: P.twitterDate(now),
              timestamp_ms: now,
              favorited_status: pastTweet(object, liked, { retweets: 0, favorites: random.between(1, 200) }),
              user: P.tweetUser(actor)
            }
          ]
        }
        both("Like")
        break
      }
      case "Follow":
      case "Unfollow":
      case "Block":
      case "Unblock":
      case "Mute":
      case "Unmute": {
        const type = kind.toLowerCase()
        const source = P.actionUser(actor)
        const target = P.actionUser(object)
        payload = {
          [actionKey[kind]!]: [
            kind === "Follow" || kind === "Unfollow"
              ? { type, created_timestamp: String(now), target, source }
              : { type, created_timestamp: String(now), source, target }
          ]
        }
        if (kind === "Follow" || targetsReceiveActions) {
          both(kind)
        } else {
          add(actor, kind, "by")
        }
        break
      }
      case "DirectMessageSent":
      case "DirectMessageReceived": {
        const sender = kind === "DirectMessageSent" ? user : counterpart
        const recipient = kind === "DirectMessageSent" ? counterpart : user
        const id = nextId(now)
        const viaApp = isSubscribed(sender) && random.chance(0.5)
        const text = random.pick(P.DM_TEXTS)
        lastDirectMessage.set([sender.id, recipient.id].sort().join(":"), id)
        payload = {
          direct_message_events: [
            {
              type: "message_create",
              id,
              created_timestamp: String(now),
              message_create: {
                target: { recipient_id: recipient.id },
                sender_id: sender.id,
                source_app_id: viaApp ? app.id : undefined,
                message_data: {
                  text,
                  entities: { hashtags: P.hashtags(text), symbols: [], user_mentions: [], urls: [] }
                }
              }
            }
          ],
          ...(viaApp ? { apps: { [app.id]: { id: app.id, name: app.name, url: app.url } } } : {}),
          users: { [sender.id]: P.condensedUser(sender), [recipient.id]: P.condensedUser(recipient) }
        }
        if (kind === "DirectMessageSent") {
          add(sender, "DirectMessageSent")
          add(recipient, "DirectMessageReceived")
        } else {
          add(recipient, "DirectMessageReceived")
          add(sender, "DirectMessageSent")
        }
        break
      }
      case "TypingIndicator": {
        payload = {
          direct_message_indicate_typing_events: [
            { created_timestamp: String(now), sender_id: counterpart.id, target: { recipient_id: user.id } }
          ],
          users: { [counterpart.id]: P.condensedUser(counterpart), [user.id]: P.condensedUser(user) }
        }
        add(user, "TypingIndicator")
        break
      }
      case "ReadReceipt": {
        const key = [counterpart.id, user.id].sort().join(":")
        const lastRead = lastDirectMessage.get(key) ?? nextId(Math.max(0, now - random.between(5, 600) * 1000))
        payload = {
          direct_message_mark_read_events: [
            {
              created_timestamp: String(now),
              sender_id: counterpart.id,
              target: { recipient_id: user.id },
              last_read_event_id: lastRead
            }
          ],
          users: { [counterpart.id]: P.condensedUser(counterpart), [user.id]: P.condensedUser(user) }
        }
        add(user, "ReadReceipt")
        break
      }
      case "SubscriptionRevoke": {
        withForUser = false
        payload = {
          user_event: {
            revoke: { date_time: P.isoDate(now), target: { app_id: app.id }, source: { user_id: user.id } }
          }
        }
        add(user, "SubscriptionRevoke")
        break
      }
    }

    const cache = new Map<string, string>()
    const bodyFor = (forUserId: string): string => {
      const cached = cache.get(forUserId)
      if (cached !== undefined) return cached
      const body = stringify(
        withForUser
          ? {
              for_user_id: forUserId,
              ...(forUserId === flagFor ? { user_has_blocked: "false" } : {}),
              ...payload
            }
          : payload
      )
      cache.set(forUserId, body)
      return body
    }
    const activity: Activity = {
      id: nextId(now),
      kind,
      createdAt: now,
      concerns: recipients.map((r) => r.forUserId),
      recipients,
      bodyFor
    }
    return activity
  }

  const generateAt = (kind: Kind, now: number, request: GenerateOptions = {}) =>
    Either.map(resolve(kind, request), ({ counterpart, direction, user }) =>
      build(kind, now, user, counterpart, direction)
    )

  return {
    generate: (kind, request) => Effect.flatMap(Clock.currentTimeMillis, (now) => generateAt(kind, now, request)),
    random: (n) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const out: Array<Activity> = []
        let block: Array<Kind> = []
        for (let tries = 0; out.length < n && tries < n * 4 + kinds.length; tries++) {
          if (block.length === 0) block = random.shuffle(kinds)
          const result = generateAt(block.shift()!, now)
          // defaults never fail once the users are validated; a kind that cannot be made is skipped
          if (Either.isRight(result)) out.push(result.right)
        }
        return out
      })
  }
}

/**
 * The generator as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Generator, GeneratorError> =>
  Layer.effect(Generator, make(options))
