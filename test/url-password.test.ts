import { strict as assert } from "assert";
import { hasUrlPassword } from "../stacks/ranges";
import { isCredentialLiteral } from "../stacks/schema/live";

/** The pattern hasUrlPassword replaced: right, but quadratic on long runs of letters. */
const BACKTRACKING = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

describe("a URL with a password in a literal value (stacks/ranges.ts)", () => {
    it("finds the password of every scheme, and nothing in URLs without one", () => {
        for (const v of [
            "amqp://sapoche:s3cret@rabbitmq:5672/vhost",
            "redis://:pw@redis-sp:6379",
            "postgres+ssl://u:p@db/x",
            "see HTTPS://a:b@c for details",
        ]) {
            assert.equal(hasUrlPassword(v), true, v);
        }
        for (const v of [
            "amqp://rabbitmq:5672/vhost",
            "https://user@host/path",
            "http://u:@host",
            "://u:p@host",
            "u:p@host",
            "amqp://a@b:c@d",
        ]) {
            assert.equal(hasUrlPassword(v), false, v);
        }
    });

    it("agrees with the pattern it replaced on 20,000 generated values", () => {
        const alphabet = ["a", "Z", "9", "+", ".", "-", ":", "/", "@", " ", "://", "x:y@", "\n"];
        let seed = 42;
        const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        for (let n = 0; n < 20_000; n++) {
            const v = Array.from(
                { length: 1 + Math.floor(next() * 12) },
                () => alphabet[Math.floor(next() * alphabet.length)],
            ).join("");
            assert.equal(hasUrlPassword(v), BACKTRACKING.test(v), JSON.stringify(v));
        }
    });

    it("reads a 5 MB value in one pass (the old pattern would run for hours)", () => {
        // Bounded by mocha's timeout; `npm run bench` prints the time.
        const letters = "a".repeat(5 * 1024 * 1024);
        assert.equal(hasUrlPassword(letters), false);
        assert.equal(isCredentialLiteral("QUEUE_NAME", letters), false);
        const schemes = "a://".repeat(1024 * 1024);
        assert.equal(hasUrlPassword(schemes), false);
        assert.equal(hasUrlPassword(`${letters}://u:p@h`), true);
    });
});
