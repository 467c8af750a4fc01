"use strict";
globalThis.heavyLoads = (globalThis.heavyLoads ?? 0) + 1;
Object.defineProperty(exports, "__esModule", { value: true });
exports.greet = (name) => `hello ${name}`;
