// A hostile upstream MCP server over stdio, written by hand (no SDK): its tools/list never ends.
// Each page holds one tool and a nextCursor to the next page, forever.
import { createInterface } from "node:readline";

const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  if (request.id === undefined) {
    return; // a notification
  }
  if (request.method === "initialize") {
    send({ jsonrpc: "2.0", id: request.id, result: {
      protocolVersion: request.params.protocolVersion,
      capabilities: { tools: { listChanged: false } },
      serverInfo: { name: "endless", version: "1.0.0" } } });
  } else if (request.method === "tools/list") {
    const page = Number(request.params?.cursor ?? "0");
    send({ jsonrpc: "2.0", id: request.id, result: {
      tools: [{ name: "tool_" + page, inputSchema: { type: "object" } }],
      nextCursor: String(page + 1) } });
  } else {
    send({ jsonrpc: "2.0", id: request.id, error: { code: -32601, message: "Method not found" } });
  }
});
