// What the kafkajs tests share (harness.py's counterpart): the binary, the ports, and a
// `kafkalab broker` of 3 brokers started and waited for.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = process.env.KAFKALAB_BIN ?? path.join(ROOT, "target/release/kafkalab");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const portOpen = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

/** Starts `kafkalab broker` on KAFKALAB_BRIDGE_PORT (default 19092) + `offset` and the two ports
 * after it; resolves once all three accept connections, with the process and the bootstrap list. */
export async function startBroker(offset) {
  const port = Number(process.env.KAFKALAB_BRIDGE_PORT ?? 19092) + offset;
  const broker = spawn(BIN, ["broker", "--brokers", "3", "--listen", `127.0.0.1:${port}`], { stdio: "inherit" });
  const deadline = Date.now() + 20000;
  while (!(await portOpen(port)) || !(await portOpen(port + 2))) {
    if (Date.now() >= deadline || broker.exitCode !== null) broker.kill();
    assert.ok(Date.now() < deadline && broker.exitCode === null, "kafkalab broker starts");
    await sleep(100);
  }
  return { broker, brokers: [0, 1, 2].map((i) => `127.0.0.1:${port + i}`) };
}
