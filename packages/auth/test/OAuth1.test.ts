import { createHmac } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import OAuth from "oauth-1.0a"
import * as Credentials from "../src/Credentials.js"
import * as OAuth1 from "../src/OAuth1.js"

// X's "Creating a signature" worked example
const x = {
  consumerKey: "xvz1evFS4wEEPTGEFPHBog",
  consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
  token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
  tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
  nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
  timestamp: 1318622958,
  body: "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"
}
const xCredentials: Credentials.OAuth1Credentials = {
  app: Credentials.app({ consumerKey: x.consumerKey, consumerSecret: x.consumerSecret }),
  user: Credentials.user({ accessToken: x.token, accessTokenSecret: x.tokenSecret })
}
const signX = (url: string) =>
  OAuth1.sign({
    method: "post",
    url,
    formParams: OAuth1.parseForm(x.body),
    credentials: xCredentials,
    nonce: x.nonce,
    timestamp: x.timestamp
  })

const X_PARAMETER_STRING =
  "include_entities=true&oauth_consumer_key=xvz1evFS4wEEPTGEFPHBog&oauth_nonce=kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1318622958&oauth_token=370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb&oauth_version=1.0&status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"
const X_BASE_STRING_TWITTER =
  "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"

describe("X's worked example", () => {
  it("api.twitter.com: parameter string, base string and signature", () => {
    const signed = signX("https://api.twitter.com/1.1/statuses/update.json?include_entities=true")
    assert.strictEqual(signed.parameterString, X_PARAMETER_STRING)
    assert.strictEqual(signed.signatureBaseString, X_BASE_STRING_TWITTER)
    assert.strictEqual(signed.signature, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
  })

  it("api.x.com: base string and signature", () => {
    const signed = signX("https://api.x.com/1.1/statuses/update.json?include_entities=true")
    assert.strictEqual(signed.parameterString, X_PARAMETER_STRING)
    assert.strictEqual(signed.signatureBaseString, X_BASE_STRING_TWITTER.replace("api.twitter.com", "api.x.com"))
    assert.strictEqual(signed.signature, "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=")
  })

  it("the 'Authorizing a request' value only matches the old /1/ URL", () => {
    assert.strictEqual(
      signX("https://api.twitter.com/1/statuses/update.json?include_entities=true").signature,
      "tnnArxj06cWHq44gCs1OSKk/jLY="
    )
  })

  it("the header: seven parameters, sorted, quoted, percent-encoded, joined by ', '", () => {
    assert.strictEqual(
      signX("https://api.twitter.com/1/statuses/update.json?include_entities=true").authorization,
      'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="tnnArxj06cWHq44gCs1OSKk%2FjLY%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"'
    )
    assert.strictEqual(
      OAuth1.authorizationHeader({
        method: "POST",
        url: "https://api.x.com/1.1/statuses/update.json?include_entities=true",
        formParams: { status: "Hello Ladies + Gentlemen, a signed OAuth request!" },
        credentials: xCredentials,
        nonce: x.nonce,
        timestamp: x.timestamp
      }),
      'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"'
    )
  })

  it("the signature is plain HMAC-SHA1 over the base string with pct(cs)&pct(ts)", () => {
    const signed = signX("https://api.x.com/1.1/statuses/update.json?include_entities=true")
    const expected = createHmac("sha1", `${x.consumerSecret}&${x.tokenSecret}`)
      .update(signed.signatureBaseString)
      .digest()
    assert.strictEqual(expected.toString("hex").toUpperCase(), "2ECF778498996D0DDA905DC7177C75073F3FCD4E")
    assert.strictEqual(signed.signature, expected.toString("base64"))
  })
})

describe("RFC 5849", () => {
  const photos = Credentials.app({ consumerKey: "dpf43f3p2l4k3l03", consumerSecret: "kd94hf93k423kf44" })

  it("§1.2 temporary credentials (no token: key ends with '&')", () => {
    const signed = OAuth1.sign({
      method: "POST",
      url: "https://photos.example.net/initiate",
      credentials: { app: photos },
      nonce: "wIjqoS",
      timestamp: 137131200,
      oauthParams: { oauth_callback: "http://printer.example.com/ready" },
      includeVersion: false,
      realm: "Photos"
    })
    assert.strictEqual(signed.signature, "74KNZJeDHnMBp0EMJ9ZHt/XKycU=")
    assert.isTrue(
      signed.authorization.startsWith('OAuth realm="Photos", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready"')
    )
  })

  it("§1.2 token credentials", () => {
    const signed = OAuth1.sign({
      method: "POST",
      url: "https://photos.example.net/token",
      credentials: {
        app: photos,
        user: Credentials.user({ accessToken: "hh5s93j4hdidpola", accessTokenSecret: "hdhd0244k9j7ao03" })
      },
      nonce: "walatlh",
      timestamp: 137131201,
      oauthParams: { oauth_verifier: "hfdp7dh39dks9884" },
      includeVersion: false
    })
    assert.strictEqual(signed.signature, "gKgrFCywp7rO0OXSjdot/IHF7IU=")
  })

  it("§1.2 protected resource: base string and signature, realm not signed", () => {
    const signed = OAuth1.sign({
      method: "GET",
      url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
      credentials: {
        app: photos,
        user: Credentials.user({ accessToken: "nnch734d00sl2jdk", accessTokenSecret: "pfkkdhi9sl3r4s00" })
      },
      nonce: "chapoH",
      timestamp: 137131202,
      includeVersion: false,
      realm: "Photos"
    })
    assert.strictEqual(
      signed.signatureBaseString,
      "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
    )
    assert.strictEqual(signed.signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=")
  })

  it("§3.4.1 base string: form '+' is a space, duplicate names sorted by value, empty values", () => {
    const base = OAuth1.signatureBaseString({
      method: "POST",
      url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
      formParams: OAuth1.parseForm("c2&a3=2+q"),
      oauthParams: {
        oauth_consumer_key: "9djdj82h48djs9d2",
        oauth_token: "kkk9d7dh3k39sjv7",
        oauth_signature_method: "HMAC-SHA1",
        oauth_timestamp: "137131201",
        oauth_nonce: "7d8f3e4a"
      }
    })
    assert.strictEqual(
      base,
      "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )
  })
})

describe("base URL", () => {
  it("lowercases scheme and host, drops default ports, keeps others, drops query and fragment", () => {
    assert.strictEqual(OAuth1.baseUrl("HTTPS://API.X.COM:443/1.1/Path.json?a=1#f"), "https://api.x.com/1.1/Path.json")
    assert.strictEqual(OAuth1.baseUrl("http://Example.com:80/r"), "http://example.com/r")
    assert.strictEqual(OAuth1.baseUrl("http://example.com:8080/r"), "http://example.com:8080/r")
    assert.strictEqual(OAuth1.baseUrl("https://example.com:80/r"), "https://example.com:80/r")
    assert.strictEqual(OAuth1.baseUrl("http://example.com:443/r"), "http://example.com:443/r")
    assert.strictEqual(OAuth1.baseUrl("http://127.0.0.1:51234/a%20b"), "http://127.0.0.1:51234/a%20b")
  })
})

describe("percent-encoding", () => {
  const unreserved = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

  it("every byte 0-255", () => {
    for (let b = 0; b < 256; b++) {
      const expected = unreserved.has(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
      assert.strictEqual(OAuth1.percentEncodeBytes(Uint8Array.of(b)), expected, `byte ${b}`)
      if (b < 128) assert.strictEqual(OAuth1.percentEncode(String.fromCharCode(b)), expected, `char ${b}`)
    }
    assert.strictEqual(OAuth1.percentEncode(" "), "%20")
    assert.strictEqual(OAuth1.percentEncode("!*'()"), "%21%2A%27%28%29")
  })

  it("characters U+0080-U+00FF encode as their two UTF-8 bytes", () => {
    for (let c = 0x80; c <= 0xff; c++) {
      const [b1, b2] = Buffer.from(String.fromCharCode(c), "utf8")
      const hex = (n: number) => n.toString(16).toUpperCase()
      assert.strictEqual(OAuth1.percentEncode(String.fromCharCode(c)), `%${hex(b1!)}%${hex(b2!)}`)
    }
  })

  it("multi-byte characters and the doc examples", () => {
    assert.strictEqual(OAuth1.percentEncode("☃"), "%E2%98%83")
    assert.strictEqual(OAuth1.percentEncode("😀"), "%F0%9F%98%80")
    assert.strictEqual(OAuth1.percentEncode("é"), "%C3%A9")
    assert.strictEqual(OAuth1.percentEncode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen")
    assert.strictEqual(OAuth1.percentEncode("An encoded string!"), "An%20encoded%20string%21")
    assert.strictEqual(OAuth1.percentEncode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice")
    assert.strictEqual(OAuth1.percentEncode("\ud800"), "%EF%BF%BD")
  })

  it("property: output is unreserved or %XX, and decodes back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const encoded = OAuth1.percentEncode(s)
        assert.match(encoded, /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/)
        assert.strictEqual(decodeURIComponent(encoded), s)
        assert.strictEqual(encoded, OAuth1.percentEncodeBytes(Buffer.from(s, "utf8")))
      })
    )
  })

  it("form decoding: '+' is a space, malformed escapes stay literal", () => {
    assert.deepStrictEqual(OAuth1.parseForm("a=1+2&b=%E2%98%83&c&=x&&d=%zz%4"), [
      ["a", "1 2"],
      ["b", "☃"],
      ["c", ""],
      ["", "x"],
      ["d", "%zz%4"]
    ])
  })
})

describe("agreement with the oauth-1.0a package", () => {
  it("property: same signature for the same request", () => {
    const oauth = new OAuth({
      consumer: { key: "ck", secret: "c s/é" },
      signature_method: "HMAC-SHA1",
      hash_function: (base, key) => createHmac("sha1", key).update(base).digest("base64")
    })
    const credentials = {
      app: Credentials.app({ consumerKey: "ck", consumerSecret: "c s/é" }),
      user: Credentials.user({ accessToken: "tk", accessTokenSecret: "t&s" })
    }
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, unit: "binary" }).filter((k) => !k.startsWith("oauth_") && k !== "__proto__"),
          fc.string({ unit: "binary" })
        ),
        fc.stringMatching(/^(?:\/[A-Za-z0-9._~-]{1,8}){1,3}$/).filter((p) => !/\/\.{1,2}(?:\/|$)/.test(p)),
        fc.constantFrom("GET", "POST", "DELETE"),
        (data, path, method) => {
          const url = `https://api.x.com${path}`
          const ours = OAuth1.sign({
            method,
            url,
            formParams: data,
            credentials,
            nonce: "n0nce",
            timestamp: 1700000000
          })
          const theirs = oauth.getSignature({ url, method, data }, "t&s", {
            oauth_consumer_key: "ck",
            oauth_nonce: "n0nce",
            oauth_signature_method: "HMAC-SHA1",
            oauth_timestamp: 1700000000,
            oauth_token: "tk",
            oauth_version: "1.0"
          })
          assert.strictEqual(ours.signature, theirs)
        }
      )
    )
  })
})
