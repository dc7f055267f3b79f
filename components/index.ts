export * from "./namespace-baseline";
export * from "./queue-consumer";
export * from "./worker";
export * from "./php-backend";
export * from "./redis";
export * from "./scheduler";
export * from "./orthanc";
export * from "./frontend";
