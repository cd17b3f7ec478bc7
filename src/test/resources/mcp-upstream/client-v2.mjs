// A client built with the official TypeScript SDK v2 (@modelcontextprotocol/client), for
// Portcullis's interop tests. Usage:
//   node client-v2.mjs URL KEY MODE TOOL ARGS_JSON
// MODE is "pin" (version negotiation pinned to 2026-07-28) or "auto". It connects, lists the
// tools, calls TOOL with ARGS_JSON, and prints one JSON object: the negotiated version, the
// methods it posted with their Mcp-* headers, the tool names listed and the call's result (or
// the error it raised).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const [url, key, mode, tool, args] = process.argv.slice(2);
const posted = [];
const recordingFetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  if ((init?.method ?? "GET") === "POST") {
    let method = null;
    try {
      method = JSON.parse(init.body).method ?? null;
    } catch {
      method = null;
    }
    posted.push({
      method,
      protocolVersion: headers.get("mcp-protocol-version"),
      mcpMethod: headers.get("mcp-method"),
      mcpName: headers.get("mcp-name"),
      session: headers.get("mcp-session-id"),
    });
  }
  return fetch(input, init);
};

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
  fetch: recordingFetch,
});
const client = new Client(
  { name: "portcullis-interop-v2", version: "1.0.0" },
  { versionNegotiation: { mode: mode === "pin" ? { pin: "2026-07-28" } : "auto" } },
);
const out = { posted };
try {
  await client.connect(transport);
  out.negotiated = client.getNegotiatedProtocolVersion() ?? null;
  const listed = await client.listTools();
  out.tools = listed.tools.map((t) => t.name);
  try {
    out.result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
  } catch (e) {
    out.callError = { message: String(e?.message ?? e), code: e?.code ?? null };
  }
} catch (e) {
  out.error = { message: String(e?.message ?? e), code: e?.code ?? null };
} finally {
  await client.close().catch(() => {});
}
process.stdout.write(JSON.stringify(out) + "\n");
