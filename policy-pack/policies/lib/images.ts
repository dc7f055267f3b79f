/** A digest the registry can verify: `@sha256:` and 64 hex digits (or another algorithm's). */
export const DIGEST = /@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** Tags that name a channel, not a build: the same tag runs different code next week. */
export const defaultFloatingTags = [
    "latest",
    "stable",
    "main",
    "master",
    "edge",
    "dev",
    "develop",
    "development",
    "nightly",
    "current",
    "lts",
    "release",
    "prod",
    "production",
    "staging",
    "test",
    "testing",
    "canary",
    "beta",
    "alpha",
    "rc",
    "snapshot",
    "head",
    "trunk",
    "unstable",
    "mainline",
    "rolling",
    "newest",
    "default",
    "next",
    "preview",
];

/**
 * The repository an image reference pulls from, as the container runtime resolves it: the tag and
 * digest dropped, Docker Hub spelled out (`redis` is `docker.io/library/redis`), the registry host
 * in lower case. `registry.example/team/app:1` and `registry.example/team/app@sha256:...` are the
 * same repository.
 */
export function imageRepository(image: string): string {
    const withoutDigest = image.trim().split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.indexOf(":", lastSlash + 1);
    const name = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
    const parts = name.split("/");
    const first = parts[0];
    const hasRegistry = parts.length > 1 && (/[.:]/.test(first) || first === "localhost");
    const registry = hasRegistry ? first.toLowerCase() : "docker.io";
    const path = hasRegistry ? parts.slice(1) : parts;
    const hubRegistry = registry === "docker.io" || registry === "index.docker.io";
    if (hubRegistry && path.length === 1) {
        path.unshift("library");
    }
    return `${hubRegistry ? "docker.io" : registry}/${path.join("/")}`;
}
