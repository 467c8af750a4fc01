/**
 * node:http, required rather than imported. An ES module import of node:http builds its namespace from
 * every export, and Node 24's include WebSocket, CloseEvent and MessageEvent, whose getters load undici:
 * ~750 KB of JavaScript and a WebAssembly parser, +8 MiB resident at start for nothing memops uses
 * (BENCHMARKS.md, issue 13). `require` reads an export only when it is used.
 */
import { createRequire } from "node:module";

const http = createRequire(import.meta.url)("node:http") as typeof import("node:http");
export default http;
