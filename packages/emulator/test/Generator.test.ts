import { Delivery, decodeDelivery } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, TestClock, TestContext } from "effect"
import * as fc from "fast-check"
import * as Generator from "../src/Generator.js"

const A = { id: "2244994945", screenName: "XDevelopers", name: "X Dev" }
const B = { id: "1556886030274000001", screenName: "b_user", name: "Béatrice" }
const others = [
  { id: "3001969357", screenName: "furiouscamper", name: "Jordan Brinks" },
  { id: "783214", screenName: "Twitter" }
]

// 2022-08-17T13:40:30.274Z
const NOW = 1_660_743_630_274

const make = (options: Partial<Generator.Options> = {}) =>
  Generator.make({ seed: "test-seed", subscribed: [A, B], others, ...options })

const object = (value: unknown): Record<string, unknown> => value as Record<string, unknown>

/** Decodes every recipient's body and checks the `_tag`, `forUserId` and `direction`. */
const checkDecodes = (activity: Generator.Activity) =>
  Effect.gen(function* () {
    assert.isAbove(activity.recipients.length, 0)
    assert.deepStrictEqual(
      activity.concerns,
      activity.recipients.map((r) => r.forUserId)
    )
    for (const recipient of activity.recipients) {
      const body = activity.bodyFor(recipient.forUserId)
      const events = yield* decodeDelivery(body)
      assert.strictEqual(events.length, 1, `${activity.kind} for ${recipient.forUserId}`)
      const event = events[0]!
      assert.strictEqual(event._tag, recipient.tag, `${activity.kind} for ${recipient.forUserId}: ${body}`)
      assert.strictEqual(event.forUserId, recipient.forUserId)
      if (recipient.direction !== undefined) {
        assert.strictEqual((event as { readonly direction?: string }).direction, recipient.direction, activity.kind)
      }
      assert.match(body, /^[\x20-\x7e]*$/, "bodies are ASCII: non-ASCII is escaped as \\uXXXX")
      assert.notMatch(body, /(?<!\\)\//, "every / is escaped as \\/")
    }
  })

describe("Generator", () => {
  it.effect("every kind, in every direction, decodes to the intended _tag for every recipient", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const generator = yield* make()
      let count = 0
      for (const kind of Generator.kinds) {
        const directions = Generator.directions(kind)
        for (const direction of directions.length === 0 ? [undefined] : directions) {
          for (const counterpartId of [others[0]!.id, B.id]) {
            const needsCounterpart = !["Tweet", "TweetDelete", "SubscriptionRevoke"].includes(kind)
            const activity = yield* generator.generate(kind, {
              forUserId: A.id,
              direction,
              ...(needsCounterpart ? { counterpartId } : {})
            })
            assert.strictEqual(activity.kind, kind)
            assert.strictEqual(activity.createdAt, NOW)
            assert.deepStrictEqual(activity.recipients[0], {
              forUserId: A.id,
              tag: kind,
              ...(direction === undefined ? {} : { direction })
            })
            yield* checkDecodes(activity)
            count++
          }
        }
      }
      // 19 kinds, 7 of them in two directions, each with an outside and a subscribed counterpart
      assert.strictEqual(count, (19 + 6) * 2)
    })
  )

  it.effect("unfollow, block, unblock, mute and unmute reach their target only with targetsReceiveActions", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const v11 = yield* make()
      for (const kind of ["Unfollow", "Block", "Unblock", "Mute", "Unmute"] as const) {
        const activity = yield* v11.generate(kind, { forUserId: A.id, counterpartId: B.id })
        assert.deepStrictEqual(activity.concerns, [A.id])
        const error = yield* Effect.flip(v11.generate(kind, { direction: "of" }))
        assert.strictEqual(error.reason, "UnsupportedDirection")
      }
      const v2 = yield* make({ targetsReceiveActions: true })
      for (const kind of ["Unfollow", "Block", "Unblock", "Mute", "Unmute"] as const) {
        const activity = yield* v2.generate(kind, { forUserId: A.id, counterpartId: B.id, direction: "of" })
        assert.deepStrictEqual(activity.recipients, [
          { forUserId: A.id, tag: kind, direction: "of" },
          { forUserId: B.id, tag: kind, direction: "by" }
        ])
        yield* checkDecodes(activity)
      }
    })
  )

  it.effect("Tweet ids keep all 19 digits: the numeric id equals id_str", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const generator = yield* make()
      for (const kind of ["Tweet", "Mention", "Reply", "Retweet", "QuoteTweet", "RetweetOfQuote", "Like"] as const) {
        const activity = yield* generator.generate(kind, { forUserId: A.id })
        const body = activity.bodyFor(A.id)
        const pairs = [...body.matchAll(/"id":(-?\d+),"id_str":"(\d+)"/g)]
        assert.isAbove(pairs.length, 1, kind)
        for (const [, id, idStr] of pairs) assert.strictEqual(id, idStr, kind)
        // the lossless parse gives the same digits
        const parsed = object(Either.getOrThrow(Delivery.parseJson(body)))
        const first = object(
          (parsed.tweet_create_events as Array<unknown> | undefined)?.[0] ??
            object((parsed.favorite_events as Array<unknown>)[0]).favorited_status
        )
        assert.match(String(first.id_str), /^[0-9]{19}$/)
        assert.strictEqual(String(first.id), first.id_str)
      }
      // a 19-digit user id survives too
      const mention = yield* generator.generate("Mention", { forUserId: A.id, counterpartId: B.id })
      assert.include(mention.bodyFor(A.id), `"id":${B.id},"id_str":"${B.id}"`)
    })
  )

  it.effect("ids stay 19 digits even when the clock is at 0", () =>
    Effect.gen(function* () {
      const generator = yield* make()
      const activity = yield* generator.generate("Tweet", { forUserId: A.id })
      const tweet = object(
        (object(Either.getOrThrow(Delivery.parseJson(activity.bodyFor(A.id)))).tweet_create_events as Array<unknown>)[0]
      )
      assert.match(String(tweet.id_str), /^[0-9]{19}$/)
      assert.strictEqual(tweet.timestamp_ms, "0")
      yield* checkDecodes(activity)
    })
  )

  it.effect("the same seed gives byte-identical bodies; another seed, different ones", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const bodies = (seed: string) =>
        Effect.gen(function* () {
          const generator = yield* make({ seed })
          const activities = yield* generator.random(60)
          return activities.flatMap((activity) => [
            activity.id,
            activity.kind,
            ...activity.concerns.map((user) => activity.bodyFor(user))
          ])
        })
      const first = yield* bodies("alpha")
      const second = yield* bodies("alpha")
      const other = yield* bodies("beta")
      assert.deepStrictEqual(first, second)
      assert.notDeepEqual(first, other)
    })
  )

  it.effect("random(n) covers every kind in each block of 19, with some fan-out", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const generator = yield* make()
      const activities = yield* generator.random(76)
      assert.strictEqual(activities.length, 76)
      for (let block = 0; block < 4; block++) {
        const seen = new Set(activities.slice(block * 19, block * 19 + 19).map((activity) => activity.kind))
        assert.strictEqual(seen.size, 19)
      }
      assert.strictEqual(new Set(activities.map((activity) => activity.id)).size, 76, "activity ids are unique")
      assert.isTrue(activities.some((activity) => activity.concerns.length === 2))
      for (const activity of activities) yield* checkDecodes(activity)
      // some text, once decoded, is not ASCII
      const texts = activities.flatMap((activity) => activity.concerns.map((user) => activity.bodyFor(user)))
      assert.isTrue(
        texts.some((body) => Array.from(JSON.stringify(JSON.parse(body))).some((c) => c.charCodeAt(0) > 0x7f))
      )
    })
  )

  it("any seed and any users: every body decodes to its recipients' tags", () =>
    fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.integer({ min: 1_262_304_000_000, max: 1_893_456_000_000 }),
        fc.uniqueArray(fc.bigInt({ min: 1n, max: 9_999_999_999_999_999_999n }), { minLength: 2, maxLength: 5 }),
        async (seed, now, ids) => {
          const actors = ids.map((id, i) => ({ id: id.toString(), screenName: `user_${i}` }))
          const activities = await Effect.runPromise(
            TestClock.setTime(now).pipe(
              Effect.zipRight(Generator.make({ seed, subscribed: actors.slice(0, 2), others: actors.slice(2) })),
              Effect.flatMap((generator) => generator.random(19)),
              Effect.provide(TestContext.TestContext)
            )
          )
          for (const activity of activities) {
            for (const recipient of activity.recipients) {
              const events = Either.getOrThrow(Delivery.decodeDeliveryEither(activity.bodyFor(recipient.forUserId)))
              if (events.length !== 1 || events[0]!._tag !== recipient.tag) return false
              if (events[0]!.forUserId !== recipient.forUserId) return false
            }
          }
          return new Set(activities.map((activity) => activity.kind)).size === 19
        }
      ),
      { numRuns: 40 }
    ))

  it.effect("fan-out: a mention of B by A, both subscribed, is delivered to both", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const generator = yield* make()
      const activity = yield* generator.generate("Mention", { forUserId: B.id, counterpartId: A.id })
      assert.deepStrictEqual(activity.recipients, [
        { forUserId: B.id, tag: "Mention", direction: "of" },
        { forUserId: A.id, tag: "Tweet", direction: "by" }
      ])
      const forB = activity.bodyFor(B.id)
      const forA = activity.bodyFor(A.id)
      assert.isTrue(forB.startsWith(`{"for_user_id":"${B.id}","user_has_blocked":"false","tweet_create_events":`))
      assert.isTrue(forA.startsWith(`{"for_user_id":"${A.id}","tweet_create_events":`))
      assert.strictEqual(
        forB.slice(forB.indexOf('"tweet_create_events"')),
        forA.slice(forA.indexOf('"tweet_create_events"')),
        "the same event for both"
      )
      yield* checkDecodes(activity)

      const dm = yield* generator.generate("DirectMessageSent", { forUserId: A.id, counterpartId: B.id })
      assert.deepStrictEqual(
        dm.recipients.map((r) => [r.forUserId, r.tag]),
        [
          [A.id, "DirectMessageSent"],
          [B.id, "DirectMessageReceived"]
        ]
      )
      const like = yield* generator.generate("Like", { forUserId: A.id, counterpartId: others[0]!.id })
      assert.deepStrictEqual(like.concerns, [A.id])
    })
  )

  it.effect("payload shapes follow the documented examples", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const generator = yield* make()
      const parse = (body: string) => object(Either.getOrThrow(Delivery.parseJson(body)))

      const tweet = yield* generator.generate("Tweet", { forUserId: A.id })
      const tweetBody = tweet.bodyFor(A.id)
      const created = object((parse(tweetBody).tweet_create_events as Array<unknown>)[0])
      assert.strictEqual(created.timestamp_ms, String(NOW))
      assert.strictEqual(created.created_at, "Wed Aug 17 13:40:30 +0000 2022")
      assert.include(tweetBody, '"source":"\\u003ca href=\\"http')

      const like = parse((yield* generator.generate("Like", { forUserId: A.id })).bodyFor(A.id))
      const favorite = object((like.favorite_events as Array<unknown>)[0])
      assert.strictEqual(favorite.timestamp_ms, NOW)
      assert.match(String(favorite.id), /^[0-9a-f]{32}$/)

      const follow = parse((yield* generator.generate("Follow", { forUserId: A.id, direction: "by" })).bodyFor(A.id))
      const followEvent = object((follow.follow_events as Array<unknown>)[0])
      assert.strictEqual(followEvent.type, "follow")
      assert.strictEqual(followEvent.created_timestamp, String(NOW))
      const source = object(followEvent.source)
      assert.strictEqual(source.id, A.id)
      assert.strictEqual(source.profile_link_color, -1)
      assert.isUndefined(source.id_str)

      const unmute = parse((yield* generator.generate("Unmute", { forUserId: A.id })).bodyFor(A.id))
      assert.strictEqual(object((unmute.mute_events as Array<unknown>)[0]).type, "unmute")

      const dm = yield* generator.generate("DirectMessageReceived", { forUserId: A.id, counterpartId: others[0]!.id })
      const dmBody = parse(dm.bodyFor(A.id))
      assert.deepStrictEqual(Object.keys(object(dmBody.users)).sort(), [others[0]!.id, A.id].sort())
      assert.strictEqual(object(object(dmBody.users)[A.id]).created_timestamp !== undefined, true)

      let sawApps = false
      for (let i = 0; i < 12 && !sawApps; i++) {
        const sent = parse(
          (yield* generator.generate("DirectMessageSent", { forUserId: A.id, counterpartId: others[0]!.id })).bodyFor(
            A.id
          )
        )
        if (sent.apps !== undefined) {
          sawApps = true
          const message = object(object((sent.direct_message_events as Array<unknown>)[0]).message_create)
          assert.deepStrictEqual(Object.keys(object(sent.apps)), [message.source_app_id])
        }
      }
      assert.isTrue(sawApps, "DMs sent through the app carry the apps map")

      const read = parse((yield* generator.generate("ReadReceipt", { forUserId: A.id })).bodyFor(A.id))
      assert.match(
        String(object((read.direct_message_mark_read_events as Array<unknown>)[0]).last_read_event_id),
        /^[0-9]+$/
      )

      const revoke = yield* generator.generate("SubscriptionRevoke", { forUserId: A.id })
      const revokeBody = revoke.bodyFor(A.id)
      assert.strictEqual(
        revokeBody,
        `{"user_event":{"revoke":{"date_time":"2022-08-17T13:40:30+00:00","target":{"app_id":"13090192"},"source":{"user_id":"${A.id}"}}}}`
      )

      const own = yield* generator.generate("Tweet", { forUserId: A.id })
      const ownId = object((parse(own.bodyFor(A.id)).tweet_create_events as Array<unknown>)[0]).id_str
      const deleted = parse((yield* generator.generate("TweetDelete", { forUserId: A.id })).bodyFor(A.id))
      assert.deepStrictEqual(deleted.tweet_delete_events, [
        { status: { id: ownId, user_id: A.id }, timestamp_ms: String(NOW) }
      ])
    })
  )

  it.effect("replay_job_status bodies decode to ReplayJobStatus", () =>
    Effect.gen(function* () {
      const body = Generator.replayJobStatusBody({
        webhookId: "1234577122340233217",
        jobId: "1095098195724558337",
        state: "Complete"
      })
      assert.strictEqual(
        body,
        '{"replay_job_status":{"webhook_id":"1234577122340233217","job_state":"Complete","job_state_description":"Job completed successfully","job_id":"1095098195724558337"}}'
      )
      const [event] = yield* decodeDelivery(body)
      assert.strictEqual(event!._tag, "ReplayJobStatus")
      const incomplete = Generator.replayJobStatusBody({ webhookId: "1", jobId: "2", state: "Incomplete" })
      assert.include(incomplete, "Job failed to deliver all events, please retry your replay job")
    })
  )

  it.effect("errors say what to fix", () =>
    Effect.gen(function* () {
      const empty = yield* Effect.flip(Generator.make({ seed: 1, subscribed: [] }))
      assert.strictEqual(empty.reason, "InvalidActors")
      const badId = yield* Effect.flip(Generator.make({ seed: 1, subscribed: [{ id: "12ab", screenName: "x" }] }))
      assert.strictEqual(badId.reason, "InvalidActors")
      assert.include(badId.message, "1 to 19 digits")
      const twice = yield* Effect.flip(Generator.make({ seed: 1, subscribed: [A, A] }))
      assert.include(twice.message, "appears twice")
      const generator = yield* make()
      const notSubscribed = yield* Effect.flip(generator.generate("Tweet", { forUserId: others[0]!.id }))
      assert.strictEqual(notSubscribed.reason, "NotSubscribed")
      const same = yield* Effect.flip(generator.generate("Like", { forUserId: A.id, counterpartId: A.id }))
      assert.strictEqual(same.reason, "SameUser")
      const unknown = yield* Effect.flip(generator.generate("Like", { forUserId: A.id, counterpartId: "42" }))
      assert.strictEqual(unknown.reason, "UnknownUser")
      const noDirection = yield* Effect.flip(generator.generate("TypingIndicator", { direction: "by" }))
      assert.strictEqual(noDirection.reason, "UnsupportedDirection")
    })
  )

  it.effect("the layer provides the generator", () =>
    Effect.gen(function* () {
      const generator = yield* Generator.Generator
      const activity = yield* generator.generate("Follow", { forUserId: A.id, direction: "of" })
      yield* checkDecodes(activity)
    }).pipe(Effect.provide(Generator.layer({ seed: 7, subscribed: [A] })))
  )
})
