/**
 * The credential detector shared by the pack, the stack schema (stacks/schema/credentials.ts) and
 * `npm run import-live`: one place decides what a credential looks like.
 *
 * A value is a credential when it holds a token shape that secretlint's recommended preset knows,
 * a URL with a password, a Basic or Bearer authorization, a JWT, a private key block, a value
 * assigned to a credential-named key (`--password x`, `requirepass x`, `api_key: x`), a
 * high-entropy token, or base64 that decodes (once) to any of these. A name/value pair (an
 * environment variable, a header, trigger metadata) is one also when its name says so.
 *
 * Every check reads the value a bounded number of times (linear time): no pattern here can
 * backtrack over a run of characters, since previews and import-live read values nobody controls.
 * Findings carry spans, so a report shows the value with each credential replaced by `***`.
 */
import {
    blanks,
    certificates,
    firstOnLine,
    highEntropy,
    printable,
    trimPadding,
    urlPasswords,
} from "./credentialShapes";
import { type Span, secretlintSpans } from "./secretlint";

export type { Span } from "./secretlint";
export { hasUrlPassword, urlPasswords } from "./credentialShapes";

/**
 * Names that carry a credential: PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY, ... The stack
 * schema and `npm run import-live` use the same list (`CREDENTIAL_ENV_NAME` in stacks/ranges.ts,
 * held equal by test/guardrails.test.ts).
 */
export const credentialName =
    /(PASSW(OR)?D|PASSPHRASE|PWD$|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|DSN$|CONNECTION_?STRING)/i;

/** Keys of the assignment check: the names above, Redis's two password directives, headers. */
const KEY =
    /(PASSW(OR)?D|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|REQUIREPASS|MASTERAUTH|AUTHORIZATION)/i;
/** A key that names where a credential is, not the credential: a file, a Secret, a variable. */
const POINTER = /(FILE|PATH|NAME|REF|FROM_?ENV|FROM_?ENV_?FILE|DIR|_?ENV)$/i;
/** Header names whose every value is a credential (in `_` form). */
const CREDENTIAL_HEADER = /^(PROXY_)?AUTHORIZATION$|^COOKIE$|^X_(API|AUTH)_(KEY|TOKEN)$/i;

/** The spans of every credential in `value` (empty when it holds none). */
export function findCredentials(value: string): Span[] {
    return scan(value, true);
}

/**
 * Whether a name says its non-empty value is a credential: an environment variable's name (the
 * pack's list), a header's, a trigger metadata key's. `xFromEnv` and `xFile` name a variable or a
 * file, not a credential.
 */
export function isCredentialName(name: string): boolean {
    const n = name.replace(/-/g, "_");
    return CREDENTIAL_HEADER.test(n) || (credentialName.test(n) && !POINTER.test(n));
}

/** One finding: what kind of credential, and the value with every one of them masked. */
export interface Finding {
    readonly kind: string;
    readonly redacted: string;
}

/**
 * The credential a literal carries, by its name or its value; undefined when it carries none.
 * References (`$(VAR)`, `${VAR}`) are not credentials.
 */
export function credentialIn(value: string, name?: string): Finding | undefined {
    if (value === "") return undefined;
    if (name !== undefined && isCredentialName(name) && !isPlaceholder(value)) {
        return { kind: `a literal under the credential name ${name}`, redacted: "***" };
    }
    const spans = findCredentials(value);
    if (spans.length === 0) return undefined;
    const kinds = [...new Set(spans.map((s) => s.kind))];
    return { kind: kinds.join(", "), redacted: redact(value, spans) };
}

/**
 * `value` with every span replaced by `***`, and every other occurrence of a span's text too
 * (`-a pw ... --requirepass pw`), cut to about `limit` characters: safe to print.
 */
export function redact(value: string, spans: readonly Span[], limit = 120): string {
    const window = value.slice(0, limit + 256);
    const masks: [number, number][] = spans
        .filter((s) => s.start < window.length)
        .map((s) => [s.start, Math.min(s.end, window.length)]);
    const secrets = new Set(
        spans.slice(0, 64).map((s) => value.slice(s.start, Math.min(s.end, s.start + 512))),
    );
    for (const secret of secrets) {
        if (secret.length < 4) continue;
        for (let i = window.indexOf(secret); i >= 0; i = window.indexOf(secret, i + 1)) {
            masks.push([i, i + secret.length]);
        }
    }
    masks.sort((x, y) => x[0] - y[0]);
    let out = "";
    let at = 0;
    for (const [start, end] of masks) {
        if (end <= at) continue;
        out += value.slice(at, Math.max(at, start)) + "***";
        at = end;
    }
    out += window.slice(at);
    return out.length > limit || value.length > window.length
        ? `${out.slice(0, limit)}… (${value.length} characters)`
        : out;
}

/** A reference the platform expands, never a literal: `$(VAR)`, `${VAR}`, `%env(VAR)%`, `{{ x }}`. */
function isPlaceholder(value: string): boolean {
    const v = value.trim();
    return /^(\$\(\w+\)|\$\{\w+(:-?[^}]*)?\}|\$\w+|%env\([\w:]+\)%|\{\{[^{}]*\}\})$/.test(
        v.slice(0, 200),
    );
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const JWT = /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const DIGEST = /^(sha(1|224|256|384|512)|md5)$/i;
/** AWS access key ids (the preset skips the documentation's example key; a literal is refused). */
const AWS_KEY_ID = /^(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}$/;

/** Characters of a token: a word, a key, base64, a path. Anything else separates tokens. */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.~-") {
    TOKEN_CHARS[c.charCodeAt(0)] = 1;
}
const isTokenChar = (c: number) => c < 128 && TOKEN_CHARS[c] === 1;

/**
 * One pass over the value's tokens. A token is sliced out only when it may matter: when a
 * credential-named key lies inside it (found by one global search), when it follows `Bearer` or
 * `Basic`, or when it is long enough to be a key, a JWT or base64 (16+ characters).
 */
function scan(value: string, decode: boolean): Span[] {
    // No shape of the preset fits in fewer than 16 characters; most config values are names.
    const spans = value.length < 16 ? [] : secretlintSpans(value);
    for (const s of urlPasswords(value)) spans.push(s);
    if (value.includes("PRIVATE KEY-----")) {
        spans.push({ kind: "a private key", start: 0, end: value.length });
    }
    const keys: number[] = [];
    const keySearch = new RegExp(KEY.source, "gi");
    for (let m = keySearch.exec(value); m !== null; m = keySearch.exec(value)) keys.push(m.index);
    let nextKey = 0;
    const decoded: { text: string; start: number; end: number }[] = [];
    let prevStart = -1;
    let prevEnd = -1;
    let pendingKey: { text: string; end: number; flag: boolean } | undefined;
    const blocks = certificates(value);
    let block = 0;
    const n = value.length;
    for (let i = 0; i < n;) {
        if (!isTokenChar(value.charCodeAt(i))) {
            i++;
            continue;
        }
        const start = i;
        while (i < n && isTokenChar(value.charCodeAt(i))) i++;
        const [pStart, pEnd] = [prevStart, prevEnd];
        [prevStart, prevEnd] = [start, i];
        while (block < blocks.length && blocks[block][1] <= start) block++;
        // A certificate's or public key's base64 body is random, and public.
        if (block < blocks.length && blocks[block][0] <= start) continue;
        // `Authorization: Bearer <token>`, `Basic <base64>`.
        const prevLength = pEnd - pStart;
        if (
            (prevLength === 5 || prevLength === 6) &&
            i - start >= 8 &&
            blanks(value, pEnd, start)
        ) {
            const scheme = value.slice(pStart, pEnd);
            const text = value.slice(start, i);
            if (/^(bearer|basic)$/i.test(scheme) && !isPlaceholder(text)) {
                spans.push({ kind: `a ${scheme} authorization`, start, end: i });
            }
        }
        // `--password x`, `password: x`, `requirepass x` (a directive at the start of a line).
        if (pendingKey !== undefined && start - pendingKey.end <= 8) {
            const text = value.slice(start, i);
            if (assigns(pendingKey, value.slice(pendingKey.end, start)) && !isPlaceholder(text)) {
                spans.push({ kind: `a value of ${pendingKey.text}`, start, end: i });
            }
        }
        pendingKey = undefined;
        while (nextKey < keys.length && keys[nextKey] < start) nextKey++;
        const keyInside = nextKey < keys.length && keys[nextKey] < i;
        if (!keyInside && i - start < 16) continue; // no key, and shorter than any shape below
        const text = value.slice(start, i);
        const eq = text.indexOf("=");
        const key = eq > 0 ? text.slice(0, eq) : text;
        if (keyInside && isKey(key)) {
            const rest = eq > 0 ? trimPadding(text.slice(eq + 1)) : "";
            if (eq > 0 && rest !== "" && !isPlaceholder(text.slice(eq + 1))) {
                spans.push({ kind: `a value of ${key}`, start: start + eq + 1, end: i });
            } else if (eq < 0) {
                const flag = text.startsWith("-") || firstOnLine(value, pEnd, start);
                pendingKey = { text, end: i, flag };
            }
        }
        if (text.length < 16) continue;
        const word = eq > 0 && eq < text.length - 2 ? text.slice(eq + 1) : text;
        const wordStart = i - word.length;
        const afterDigest =
            pEnd === start - 1 &&
            value[pEnd] === ":" &&
            DIGEST.test(value.slice(pStart, Math.min(pEnd, pStart + 8)));
        if (JWT.test(word)) {
            spans.push({ kind: "a JWT", start: wordStart, end: i });
        } else if (AWS_KEY_ID.test(word)) {
            spans.push({ kind: "an AWS access key id", start: wordStart, end: i });
        } else if (!afterDigest && highEntropy(word)) {
            spans.push({ kind: "a high-entropy token", start: wordStart, end: i });
        }
        if (decode && BASE64.test(word)) {
            const plain = Buffer.from(word, "base64").toString("latin1");
            if (plain.length >= 8 && printable(plain)) {
                decoded.push({ text: plain, start: wordStart, end: i });
            }
        }
    }
    // Base64, decoded once and scanned as one text, so each token does not pay the preset's cost.
    if (decoded.length > 0) {
        let joined = "";
        const at: number[] = [];
        for (const d of decoded) {
            at.push(joined.length);
            joined += `${d.text}\n`;
        }
        for (const s of scan(joined, false)) {
            // The last decoded token that starts at or before the span (a binary search).
            let [lo, hi] = [0, at.length - 1];
            while (lo < hi) {
                const mid = (lo + hi + 1) >> 1;
                if (at[mid] <= s.start) lo = mid;
                else hi = mid - 1;
            }
            const k = lo;
            spans.push({
                kind: `base64 of ${s.kind}`,
                start: decoded[k].start,
                end: decoded[k].end,
            });
        }
    }
    return spans;
}

function isKey(text: string): boolean {
    const bare = text.replace(/^-+/, "");
    return bare.length <= 64 && KEY.test(bare) && !POINTER.test(bare.replace(/-/g, "_"));
}

/** `key: value`, `key = value`, `--key value`, `--key=value` (split in two tokens by quotes). */
function assigns(key: { flag: boolean }, gap: string): boolean {
    if (gap.length > 8) return false;
    const g = gap.replace(/["']/g, "");
    if (/^[ \t]*[:=][ \t]*$/.test(g)) return true;
    return key.flag && /^[ \t]+$/.test(g);
}
