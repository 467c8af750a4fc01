import { tmpdir } from "node:os";

/**
 * The environment memops has in its container, not this shell's: on the machines these benchmarks run on,
 * NODE_EXTRA_CA_CERTS names the system's 144 CAs and costs ~1 MiB of OpenSSL at start-up (BENCHMARKS.md).
 * `extra` is the manifest's or the run's own variables.
 */
export const containerEnv = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: tmpdir(),
  NODE_ENV: "production", // as the image sets it (Dockerfile)
  ...extra,
});
