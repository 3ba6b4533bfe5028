// Replays tests/vectors/*.json through the kernel component transpiled by jco, in Node, and
// prints `jco (Node): N passed, N failed` (exit code 1 on any failure). Run transpile.sh first.
import { replayAll } from "../vectors/replay.mjs";
import { loadVectors, report } from "../vectors/load-node.mjs";
import { factory } from "./host.mjs";

report("jco (Node)", replayAll(loadVectors(), factory));
