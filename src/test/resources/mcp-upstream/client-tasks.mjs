// A requester built with the official MCP tasks package (@modelcontextprotocol/ext-tasks) over
// the TypeScript SDK v2 client, for Portcullis's interop tests. Usage:
//   node client-tasks.mjs URL KEY TOOL ARGS_JSON ACTION
// It connects pinned to 2026-07-28, opens a task session and calls TOOL with ARGS_JSON. ACTION
// "settle" waits for the outcome (the test approves or denies meanwhile); "cancel" cancels the
// task as soon as it exists, then waits for the outcome. It prints one JSON object: the kind of
// execution (task or immediate), the task id, the outcome, the last task seen and the requests
// the package sent with their Mcp-* headers.
//
// The package needs the host to send 2026-07-28 task traffic itself (the SDK client's codecs do
// not know resultType "task"): rawDispatch below is that host path, plain fetch with the headers
// the revision asks for (Mcp-Name is the tool for tools/call, the task id for tasks/*).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createTaskSessionFromClient } from "@modelcontextprotocol/ext-tasks/client";

const [url, key, tool, args, action] = process.argv.slice(2);
const VERSION = "2026-07-28";
const posted = [];
let nextId = 1;

async function rawDispatch(request, options) {
  const message = { jsonrpc: "2.0", id: `raw-${nextId++}`, ...request };
  const name = message.method === "tools/call" ? message.params?.name : message.params?.taskId;
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${key}`,
    "mcp-protocol-version": VERSION,
    "mcp-method": message.method,
  };
  if (typeof name === "string") headers["mcp-name"] = name;
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify(message),
    signal: options?.signal,
  });
  const text = await res.text();
  posted.push({ method: message.method, mcpName: headers["mcp-name"] ?? null, status: res.status });
  // JSON, or an event stream whose last data line is the response.
  const data = res.headers.get("content-type")?.startsWith("text/event-stream")
    ? text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).at(-1)
    : text;
  const reply = JSON.parse(data);
  return "error" in reply
    ? { kind: "error", error: reply.error }
    : { kind: "result", result: reply.result };
}

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client(
  { name: "portcullis-interop-tasks", version: "1.0.0" },
  { versionNegotiation: { mode: { pin: VERSION } } },
);
const out = { posted };
try {
  await client.connect(transport);
  out.negotiated = client.getNegotiatedProtocolVersion() ?? null;
  const session = createTaskSessionFromClient(client, {
    endpointId: "portcullis-interop",
    rawDispatch,
    v2RequestFraming: {
      protocolVersion: VERSION,
      clientInfo: { name: "portcullis-interop-tasks", version: "1.0.0" },
      clientCapabilities: {},
    },
  });
  try {
    const execution = await session.callTool(tool, JSON.parse(args));
    out.kind = execution.kind;
    out.taskId = execution.handle?.taskId ?? null;
    if (action === "cancel") {
      await execution.cancel();
    }
    const { outcome, lastTask } = await execution.settle();
    out.outcome = {
      status: outcome.status,
      result: outcome.result ?? null,
      error: outcome.error ? { message: String(outcome.error.message) } : null,
    };
    out.lastTask = lastTask ? { status: lastTask.status, taskId: lastTask.taskId } : null;
  } finally {
    await session.close();
  }
} catch (e) {
  out.error = { message: String(e?.message ?? e), name: e?.name ?? null, cause: String(e?.cause ?? "") };
} finally {
  await client.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out) + "\n");
