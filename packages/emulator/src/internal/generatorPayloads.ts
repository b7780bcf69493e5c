/**
 * The building blocks of generated payloads: user profiles, Tweet objects, the user objects of
 * follow/block/mute events and of the Direct Message `users` map, dates and snowflake ids, in the shapes
 * of the spec's §5 (field order as in the documented examples).
 *
 * @internal
 */
import { type Json, raw } from "./generatorJson.js"
import * as Random from "./generatorRandom.js"

/**
 * Everything about a user that payloads show; fixed per (seed, user id).
 *
 * @internal
 */
export interface Profile {
  readonly id: string
  readonly screenName: string
  readonly name: string
  readonly location: string
  readonly description: string
  readonly url: string | null
  readonly followers: number
  readonly friends: number
  readonly listed: number
  readonly favourites: number
  readonly statuses: number
  readonly createdAt: number
  readonly imagePath: string
}

const LOCATIONS = ["Boulder, CO", "São Paulo", "Zürich", "東京", "Montréal", "Köln", "Lagos", "Bengaluru", ""]
const DESCRIPTIONS = [
  "Building bots and webhooks.",
  "Développeuse, café d'abord ☕",
  "Ops by day, 🎸 by night",
  "Observability nerd / on call again",
  "エンジニア。たまにブログ書きます",
  "Alter Ego"
]

/**
 * A profile for a user, derived from the seed and the user id only.
 *
 * @internal
 */
export const profile = (
  seed: string,
  user: { readonly id: string; readonly screenName: string; readonly name?: string | undefined }
): Profile => {
  const random = Random.make(`${seed}\u0000profile\u0000${user.id}`)
  const followers = random.between(3, 250_000)
  return {
    id: user.id,
    screenName: user.screenName,
    name: user.name ?? user.screenName,
    location: random.pick(LOCATIONS),
    description: random.pick(DESCRIPTIONS),
    url: random.chance(0.4) ? `https://example.com/${user.screenName.toLowerCase()}` : null,
    followers,
    friends: random.between(0, 5_000),
    listed: random.between(0, 300),
    favourites: random.between(0, 40_000),
    statuses: random.between(1, 90_000),
    // accounts created between 2008 and 2021, on a whole second
    createdAt: random.between(1_199_145_600, 1_640_995_199) * 1000,
    imagePath: `${random.between(100_000_000_000_000, 999_999_999_999_999)}${random.between(1000, 9999)}/${random.alnum(8)}`
  }
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/**
 * The Twitter date format: `Wed Aug 17 13:40:30 +0000 2022` (UTC).
 *
 * @internal
 */
export const twitterDate = (millis: number): string => {
  const d = new Date(millis)
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`
}

/**
 * ISO 8601 with a `+00:00` offset and whole seconds, as in the revoke `date_time`.
 *
 * @internal
 */
export const isoDate = (millis: number): string => `${new Date(millis).toISOString().slice(0, 19)}+00:00`

const TWEPOCH = 1288834974657n
/** Ids are made as if the clock were at least here, so they always have 19 digits. */
const ID_FLOOR_MS = 1_546_300_800_000

/**
 * A snowflake id source: `(ms - twepoch) << 22 | worker << 12 | sequence`, strictly increasing.
 *
 * @internal
 */
export const snowflakes = (worker: number) => {
  let lastMs = 0
  let sequence = 0
  return (millis: number): string => {
    let ms = Math.max(Math.floor(millis), ID_FLOOR_MS)
    if (ms < lastMs) ms = lastMs
    if (ms === lastMs) {
      sequence++
      if (sequence > 4095) {
        ms++
        sequence = 0
      }
    } else {
      sequence = 0
    }
    lastMs = ms
    return ((BigInt(ms) - TWEPOCH) * 4194304n + BigInt((worker & 1023) * 4096 + sequence)).toString()
  }
}

const imageUrl = (p: Profile, secure: boolean) =>
  `${secure ? "https" : "http"}://pbs.twimg.com/profile_images/${p.imagePath}_normal.jpg`

/**
 * The v1.1 user object of Tweets and favorites: numeric `id` (exact digits) and `id_str`.
 *
 * @internal
 */
export const tweetUser = (p: Profile): Json => ({
  id: raw(p.id),
  id_str: p.id,
  name: p.name,
  screen_name: p.screenName,
  location: p.location === "" ? null : p.location,
  url: p.url,
  description: p.description,
  translator_type: "none",
  protected: false,
  verified: false,
  followers_count: p.followers,
  friends_count: p.friends,
  listed_count: p.listed,
  favourites_count: p.favourites,
  statuses_count: p.statuses,
  created_at: twitterDate(p.createdAt),
  utc_offset: null,
  time_zone: null,
  geo_enabled: false,
  lang: null,
  contributors_enabled: false,
  is_translator: false,
  profile_background_color: "F5F8FA",
  profile_background_image_url: "",
  profile_background_image_url_https: "",
  profile_background_tile: false,
  profile_link_color: "1DA1F2",
  profile_sidebar_border_color: "C0DEED",
  profile_sidebar_fill_color: "DDEEF6",
  profile_text_color: "333333",
  profile_use_background_image: true,
  profile_image_url: imageUrl(p, false),
  profile_image_url_https: imageUrl(p, true),
  default_profile: true,
  default_profile_image: false,
  following: null,
  follow_request_sent: null,
  notifications: null
})

/**
 * The user object of follow/block/mute `source` and `target`: string `id`, no `id_str`, `-1` colours
 * (captured 2022 shape, field order included).
 *
 * @internal
 */
export const actionUser = (p: Profile): Json => ({
  id: p.id,
  default_profile_image: false,
  profile_background_image_url: "",
  friends_count: p.friends,
  favourites_count: 0,
  profile_link_color: -1,
  profile_background_image_url_https: "",
  utc_offset: 0,
  screen_name: p.screenName,
  is_translator: false,
  followers_count: p.followers,
  name: p.name,
  lang: "",
  profile_use_background_image: false,
  created_at: twitterDate(p.createdAt),
  profile_text_color: -1,
  notifications: false,
  protected: false,
  statuses_count: p.statuses,
  url: "",
  contributors_enabled: false,
  default_profile: true,
  profile_sidebar_border_color: -1,
  time_zone: "",
  geo_enabled: false,
  verified: false,
  profile_image_url: imageUrl(p, false),
  following: false,
  profile_image_url_https: imageUrl(p, true),
  profile_background_tile: false,
  listed_count: p.listed,
  profile_sidebar_fill_color: -1,
  location: "",
  follow_request_sent: false,
  description: p.description,
  profile_background_color: -1
})

/**
 * A condensed user of the Direct Message `users` map: string `id`, `created_timestamp`, no `created_at`.
 *
 * @internal
 */
export const condensedUser = (p: Profile): Json => ({
  id: p.id,
  created_timestamp: String(p.createdAt),
  name: p.name,
  screen_name: p.screenName,
  location: p.location === "" ? undefined : p.location,
  description: p.description,
  url: p.url ?? undefined,
  protected: false,
  verified: false,
  followers_count: p.followers,
  friends_count: p.friends,
  statuses_count: p.statuses,
  profile_image_url: imageUrl(p, false),
  profile_image_url_https: imageUrl(p, true)
})

/**
 * A piece of text and its language.
 *
 * @internal
 */
export interface Text {
  readonly text: string
  readonly lang: string
}

/**
 * Tweet texts, some with non-ASCII characters, a `/` or a hashtag.
 *
 * @internal
 */
export const TWEET_TEXTS: ReadonlyArray<Text> = [
  { text: "Shipping the webhook receiver today 🚀", lang: "en" },
  { text: "Café, croissant et déploiement ☕", lang: "fr" },
  { text: "東京から Account Activity のテスト中です", lang: "ja" },
  { text: "Grüße aus Köln – alles grün ✅", lang: "de" },
  { text: "¿Alguien más probando los webhooks hoy?", lang: "es" },
  { text: "Benchmarks: 2,500 events/s on a laptop #XDevelopers", lang: "en" },
  { text: "Привет из Москвы, всё работает", lang: "ru" },
  { text: "Debugging CRC at 3am. Send coffee ☕☕ #webhooks", lang: "en" },
  { text: "Read the retry docs: 3s / 27s / 242s & then stop", lang: "en" },
  { text: "São Paulo testando eventos em tempo real 🇧🇷", lang: "pt" }
]

/**
 * Reply and mention texts (after the leading `@screen_name `).
 *
 * @internal
 */
export const REPLY_TEXTS: ReadonlyArray<Text> = [
  { text: "thanks, works now 🙌", lang: "en" },
  { text: "is the webhook up?", lang: "en" },
  { text: "merci, c'est réglé !", lang: "fr" },
  { text: "ありがとう、助かりました", lang: "ja" },
  { text: "did you try a PUT to re-run the CRC?", lang: "en" },
  { text: "¡genial! <3", lang: "es" }
]

/**
 * Quote comments.
 *
 * @internal
 */
export const QUOTE_TEXTS: ReadonlyArray<Text> = [
  { text: "Worth reading", lang: "en" },
  { text: "Exactement ça 👇", lang: "fr" },
  { text: "This, a thousand times", lang: "en" },
  { text: "Genau so 👍", lang: "de" }
]

/**
 * Direct Message texts.
 *
 * @internal
 */
export const DM_TEXTS: ReadonlyArray<string> = [
  "Hi! Is support open today?",
  "Merci beaucoup 🙏",
  "Can you check my webhook? It says 214 😅",
  "Ja, gerne – bis später!",
  "了解しました。ありがとうございます",
  "See https://example.com/status/incidents for the details"
]

/**
 * The `source` of a Tweet (an HTML link, so bodies carry `\u003c` and `\/`).
 *
 * @internal
 */
export const SOURCES: ReadonlyArray<string> = [
  '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
  '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
  '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>'
]

/** The index, in code points (as Twitter counts), of a UTF-16 offset. */
const codePoints = (text: string, utf16: number) => Array.from(text.slice(0, utf16)).length

/**
 * The `#hashtag` entities of a text, with code-point indices.
 *
 * @internal
 */
export const hashtags = (text: string): ReadonlyArray<Json> => {
  const out: Array<Json> = []
  for (const match of text.matchAll(/#([A-Za-z0-9_]+)/g)) {
    const start = codePoints(text, match.index)
    out.push({ text: match[1]!, indices: [start, start + 1 + match[1]!.length] })
  }
  return out
}

/**
 * A Tweet to build: what varies between kinds.
 *
 * @internal
 */
export interface TweetSpec {
  readonly id: string
  readonly createdAt: number
  readonly text: string
  readonly lang: string
  readonly source: string
  readonly author: Profile
  readonly inReplyTo?: { readonly statusId: string; readonly user: Profile } | undefined
  readonly mentions?: ReadonlyArray<{ readonly user: Profile; readonly start: number }> | undefined
  readonly urls?:
    | ReadonlyArray<{
        readonly url: string
        readonly expanded: string
        readonly display: string
        readonly start: number
      }>
    | undefined
  readonly displayTextRange?: readonly [number, number] | undefined
  readonly counts?: { readonly retweets: number; readonly favorites: number } | undefined
  /** Top-level Tweets of `tweet_create_events` carry `timestamp_ms`; nested ones do not. */
  readonly topLevel: boolean
  readonly quoted?:
    | { readonly tweet: Json; readonly id: string; readonly permalink: string; readonly url: string }
    | undefined
  readonly retweeted?: Json | undefined
}

/**
 * A v1.1 Tweet object.
 *
 * @internal
 */
export const tweet = (spec: TweetSpec): Json => ({
  created_at: twitterDate(spec.createdAt),
  id: raw(spec.id),
  id_str: spec.id,
  text: spec.text,
  source: spec.source,
  truncated: false,
  in_reply_to_status_id: spec.inReplyTo === undefined ? null : raw(spec.inReplyTo.statusId),
  in_reply_to_status_id_str: spec.inReplyTo?.statusId ?? null,
  in_reply_to_user_id: spec.inReplyTo === undefined ? null : raw(spec.inReplyTo.user.id),
  in_reply_to_user_id_str: spec.inReplyTo?.user.id ?? null,
  in_reply_to_screen_name: spec.inReplyTo?.user.screenName ?? null,
  user: tweetUser(spec.author),
  geo: null,
  coordinates: null,
  place: null,
  contributors: null,
  edit_history: { initial_tweet_ids: [spec.id] },
  edit_controls: { edits_remaining: 5, is_edit_eligible: true, editable_until_ms: spec.createdAt + 3_600_000 },
  is_quote_status: spec.quoted !== undefined,
  quote_count: 0,
  reply_count: 0,
  retweet_count: spec.counts?.retweets ?? 0,
  favorite_count: spec.counts?.favorites ?? 0,
  entities: {
    hashtags: hashtags(spec.text),
    urls: (spec.urls ?? []).map((u) => ({
      url: u.url,
      expanded_url: u.expanded,
      display_url: u.display,
      indices: [u.start, u.start + u.url.length]
    })),
    user_mentions: (spec.mentions ?? []).map((m) => ({
      screen_name: m.user.screenName,
      name: m.user.name,
      id: raw(m.user.id),
      id_str: m.user.id,
      indices: [m.start, m.start + 1 + m.user.screenName.length]
    })),
    symbols: []
  },
  favorited: false,
  retweeted: false,
  filter_level: "low",
  lang: spec.lang,
  timestamp_ms: spec.topLevel ? String(spec.createdAt) : undefined,
  display_text_range: spec.displayTextRange === undefined ? undefined : [...spec.displayTextRange],
  quoted_status_id: spec.quoted === undefined ? undefined : raw(spec.quoted.id),
  quoted_status_id_str: spec.quoted?.id,
  quoted_status: spec.quoted?.tweet,
  quoted_status_permalink:
    spec.quoted === undefined
      ? undefined
      : {
          url: spec.quoted.url,
          expanded: spec.quoted.permalink,
          display: `${spec.quoted.permalink.replace(/^https:\/\//, "").slice(0, 24)}…`
        },
  retweeted_status: spec.retweeted
})
