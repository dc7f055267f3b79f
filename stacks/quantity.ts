/**
 * Kubernetes quantities: the helpers live with the components (they render quantities too);
 * the config layer validates and sums with the same ones.
 */
export * from "../components/shared/quantity";
