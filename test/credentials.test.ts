/**
 * The one credential detector (policy-pack/policies/lib/credentials.ts) that the pack, the stack
 * schema and import-live share: each class of credential is found wherever it sits in a value,
 * the namespace's ordinary values are not, a finding never prints the credential, and every
 * check reads a multi-megabyte value in one pass (`npm run bench` prints the times).
 */
import { strict as assert } from "assert";
import { credentialIn, findCredentials } from "../policy-pack/policies/lib/credentials";
import { problemsAfter } from "./support/config";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const JWT =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzYXBvY2hlLXByb2JlIiwiaWF0IjoxNzAwMDAwMDAwfQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
/** Each credential, and the secret part that must never be printed. */
// prettier-ignore
const CREDENTIALS: [string, string, string][] = [
    ["a GitHub token (secretlint)", "ghp_R7dk2LqP9sXv4TmW8nYb3ZcH6jF1aE5gU0oQ", "R7dk2LqP9sXv4TmW8nYb3ZcH6jF1aE5gU0oQ"],
    ["a Slack token (secretlint)", "xoxb-2048-1024-Xa8bC7dE6fG5hI4jK3lM2nO1", "Xa8bC7dE6fG5hI4jK3lM2nO1"],
    ["an AMQP URL with a password", "amqp://sapoche:br0ker-pw@rabbitmq:5672/", "br0ker-pw"],
    ["a postgres URL with a password", "postgres://app:db-pass-1@db/sapoche", "db-pass-1"],
    ["an AWS access key id, even the documentation's", "AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"],
    ["an OpenAI project key", "sk-proj-Q3vT8mZ1xK7pL2nR9sW4yB6cD0fH5jG8aE1uI3oP", "Q3vT8mZ1xK7pL2nR9sW4yB6cD0fH5jG8aE1uI3oP"],
    ["a Bearer JWT in a header value", `Bearer ${JWT}`, JWT.slice(40)],
    ["a bare JWT", JWT, JWT.slice(40)],
    ["a Basic authorization", `Basic ${b64("admin:orthanc-pw")}`, b64("admin:orthanc-pw")],
    ["a password flag and its value", "redis-server --requirepass s3cr3t-redis", "s3cr3t-redis"],
    ["a password flag with =", "--db-password=hunter2-db", "hunter2-db"],
    ["a redis.conf directive", "maxmemory 1gb\nmasterauth legacy-master-pw\n", "legacy-master-pw"],
    ["a YAML key in a config file", "db:\n  password: \"yaml-pass-9\"\n", "yaml-pass-9"],
    ["a properties key", "mail.smtp.api_key=key-4f9a", "key-4f9a"],
    ["a high-entropy token under a harmless name", "x9Kq2LmZ7pVt4RwY8sNc3BdJ", "x9Kq2LmZ7pVt4RwY8sNc3BdJ"],
    ["a long hex key", "f3a9c1d7e5b2840a6c9e1f3b7d5a2c8e", "f3a9c1d7e5b2840a6c9e1f3b7d5a2c8e"],
    ["base64 of a URL with a password", b64("amqp://u:encoded-pw@mq/"), b64("amqp://u:encoded-pw@mq/")],
    ["a private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"],
];

/** Values the namespace holds that are not credentials. */
// prettier-ignore
const ORDINARY = [
    "php artisan messenger:consume lis-testresult --time-limit=3600 --memory-limit=256M",
    "/usr/local/bin/docker-php-entrypoint", "sapoche-be--worker-booking", "rabbitmq.sapoche.svc.cluster.local",
    "amqp://rabbitmq:5672/sapoche", "https://orthanc:8042/instances", "123e4567-e89b-12d3-a456-426614174000",
    "registry.example/sapoche/worker@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "password: ${DB_PASSWORD}", "--password=$(REDIS_PASSWORD)", "Bearer $(PROBE_TOKEN)", "--password-file=/run/secrets/db",
    "secretName: rabbitmq-credentials", "# set the password below\nfoo: bar", "auth_basic_user_file /etc/nginx/.htpasswd;",
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUBx7y3k9ZQ2hT8Jm0XeFz1qA5XbEwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----",
    "Die Befunde werden übermittelt (Ü, é, 漢字)", "",
];

describe("the shared credential detector", () => {
    for (const [what, value, secret] of CREDENTIALS) {
        it(`finds ${what}, and prints it masked`, () => {
            const found = credentialIn(value);
            assert.ok(found, value);
            assert.ok(!found.redacted.includes(secret), found.redacted);
            // Inside other text, too: a command line, a file.
            assert.ok(credentialIn(`start --verbose\n  ${value} ;`), `embedded ${what}`);
        });
    }

    it("finds nothing in the namespace's ordinary values", () => {
        for (const v of ORDINARY) assert.deepEqual(findCredentials(v), [], v);
    });

    it("judges a name/value pair by its name too, but not a reference or a pointer", () => {
        assert.equal(credentialIn("plain", "DB_PASSWORD")?.redacted, "***");
        assert.ok(credentialIn("anything", "Authorization"));
        assert.ok(credentialIn("k", "X-Api-Key"));
        assert.equal(credentialIn("$(DB_PASSWORD)", "DB_PASSWORD"), undefined);
        assert.equal(credentialIn("RABBIT_PASSWORD", "passwordFromEnv"), undefined);
        assert.equal(credentialIn("/run/secrets/db", "DB_PASSWORD_FILE"), undefined);
        assert.equal(credentialIn("", "DB_PASSWORD"), undefined);
    });

    it("reads 5 MB values of every shape in one pass (quadratic checks would run for hours)", function () {
        this.timeout(300_000); // a shared, loaded machine; a quadratic check would take hours
        // Bounded by mocha's timeout; `npm run bench` prints the time of each.
        for (const unit of [
            "a",
            "eyJ",
            "password ",
            "QUFB",
            "a://b:c@",
            "Bearer ",
            "-",
            "aB3$",
            "=",
            "-----BEGIN ",
        ]) {
            const value = unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length));
            assert.ok(Array.isArray(findCredentials(value)));
        }
        const hidden = `${"a ".repeat(2 * 1024 * 1024)}--requirepass deep-in-5mb`;
        assert.ok(!credentialIn(hidden)!.redacted.includes("deep-in-5mb"));
    });
});

describe("the stack schema refuses a credential wherever it sits in the stack file", () => {
    const W = "sapoche-stack:workloads.worker-booking";
    // prettier-ignore
    const cases: [string, (c: any) => void, RegExp][] = [
        ["in args", (c) => (c.workloads["worker-booking"].container = { args: ["--api-token", "x9Kq2LmZ7pVt4RwY8sNc3BdJ"] }), new RegExp(`^${W}.container.args: got a literal credential \\(a value of --api-token, a high-entropy token: "--api-token \\*\\*\\*"\\); expected a reference to a Secret`)],
        ["in command", (c) => (c.workloads["worker-booking"].container = { command: ["sh", "-c", "redis-cli -a s3cr3t-redis ping --requirepass s3cr3t-redis"] }), new RegExp(`^${W}.container.command: got a literal credential \\(a value of --requirepass`)],
        ["in a probe header", (c) => (c.workloads["worker-booking"].probes = { ...c.workloads["worker-booking"].probes, liveness: { httpGet: { path: "/health", port: 8080, httpHeaders: [{ name: "Authorization", value: `Bearer ${JWT}` }] } } }), new RegExp(`^${W}.probes.liveness.httpGet.httpHeaders.0.value: got a literal credential`)],
    ];
    for (const [where, breakIt, expected] of cases) {
        it(`refuses one ${where}, naming the key and masking it`, () => {
            const problems = problemsAfter(breakIt).filter((p) => /credential/.test(p));
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], expected);
            assert.doesNotMatch(problems[0], /x9Kq2LmZ|s3cr3t-redis|dozjgNry/);
        });
    }

    it("accepts the committed stack files (no finding in production1 or staging)", () => {
        assert.deepEqual(
            problemsAfter(() => undefined, "production1"),
            [],
        );
        assert.deepEqual(
            problemsAfter(() => undefined, "staging"),
            [],
        );
    });
});
