"use strict";
const heavy = require("./heavy.cjs");
exports.greetLater = (name) => heavy.greet(name);
exports.heavyKeys = () => Object.keys(heavy);
