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
import { type Span, secretlintSpans } from "./secretlint";

export type { Span } from "./secretlint";

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
const HEX = /^[0-9a-fA-F]+$/;
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
    const spans = secretlintSpans(value);
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

/** Whether `value[from, to)` is one or more spaces or tabs. */
function blanks(value: string, from: number, to: number): boolean {
    if (from < 0 || to <= from) return false;
    for (let i = from; i < to; i++) {
        const c = value.charCodeAt(i);
        if (c !== 32 && c !== 9) return false;
    }
    return true;
}

/** Whether nothing but blanks stands between the line's start and a token at `start`. */
function firstOnLine(value: string, prevEnd: number, start: number): boolean {
    // Only the text since the previous token is read: linear over the whole value.
    for (let i = start - 1; i >= Math.max(prevEnd, 0); i--) {
        const c = value.charCodeAt(i);
        if (c === 10) return true;
        if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return prevEnd < 0;
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

/** The `[start, end)` of every PEM certificate or public key block, in order. */
function certificates(value: string): [number, number][] {
    const out: [number, number][] = [];
    for (let i = value.indexOf("-----BEGIN "); i >= 0; i = value.indexOf("-----BEGIN ", i + 1)) {
        const label = value.slice(i + 11, i + 40);
        if (!/^(CERTIFICATE|PUBLIC KEY)-----/.test(label)) continue;
        const end = value.indexOf("-----END ", i);
        if (end < 0) break;
        out.push([i, end]);
        i = end;
    }
    return out;
}

function trimPadding(text: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === "=") end--;
    return text.slice(0, end);
}

/**
 * A random-looking token: 20+ characters mixing upper, lower and digits at 4 bits of entropy per
 * character or more, or 32+ hex digits (an API key, not a word, a path or a name).
 */
function highEntropy(token: string): boolean {
    const t = trimPadding(token);
    if (t.length < 20 || t.length > 8192) return t.length > 8192 && highEntropy(t.slice(0, 8192));
    const digit = /[0-9]/.test(t);
    const upper = /[A-Z]/.test(t);
    const lower = /[a-z]/.test(t);
    if (!digit || !(upper || lower)) return false;
    if (t.length >= 32 && HEX.test(t)) return entropy(t) >= 3;
    if (upper && lower) return entropy(t) >= 4;
    return t.length >= 32 && entropy(t) >= 4.2;
}

function entropy(t: string): number {
    const counts = new Map<string, number>();
    for (const c of t) counts.set(c, (counts.get(c) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) h -= (n / t.length) * Math.log2(n / t.length);
    return h;
}

function printable(text: string): boolean {
    let ok = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) ok++;
    }
    return ok >= text.length * 0.95;
}

/**
 * The password spans of URLs (`amqp://user:secret@broker`): one pass, not a pattern. Each `://`
 * looks back over its scheme and ahead over its authority, and both stop at the neighbouring
 * `://`, so every character is read a bounded number of times (the pattern this replaced
 * backtracked: 40,000 letters took 1.9 s, quadratic).
 */
export function urlPasswords(value: string): Span[] {
    const out: Span[] = [];
    for (let i = value.indexOf("://"); i >= 0; i = value.indexOf("://", i + 3)) {
        // A scheme: letters, digits, + . - before "://", at least one of them a letter.
        let start = i;
        let letter = false;
        while (start > 0 && isSchemeChar(value.charCodeAt(start - 1))) {
            start--;
            letter ||= isLetter(value.charCodeAt(start));
        }
        if (!letter) continue;
        // The authority runs to the next "/" or whitespace; a password is `user:password@`.
        let end = i + 3;
        let colon = -1;
        let at = -1;
        for (; end < value.length; end++) {
            const c = value.charCodeAt(end);
            if (c === 47 || c === 32 || (c >= 9 && c <= 13)) break; // "/" or whitespace
            if (c === 58 && colon < 0) colon = end; // ":"
            if (c === 64 && at < 0) at = end; // "@"
        }
        if (colon >= 0 && at > colon + 1) {
            out.push({ kind: "a URL with a password", start: colon + 1, end: at });
        }
    }
    return out;
}

function isLetter(c: number): boolean {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
    return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45; // + . -
}

/** Whether a value holds a URL with a password (stacks/ranges.ts re-exports it). */
export function hasUrlPassword(value: string): boolean {
    return urlPasswords(value).length > 0;
}
