// The Vercel AI SDK chat store with the real `ai` package: a UIMessage made by ai's own stream helpers
// round-trips, validates and converts to model messages; two writers never overwrite each other.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type UIMessage, convertToModelMessages, createUIMessageStream, generateId, readUIMessageStream, validateUIMessages } from "ai";
import { MemSidecar, VersionMismatchError } from "../src/index.js";
import { createChatStore } from "../src/ai.js";
import { KeyPair, Sidecar, sections } from "./sidecar.js";

let server: Sidecar;
let m: MemSidecar;
before(async () => {
  const keys = new KeyPair();
  server = await Sidecar.start(keys, sections(mkdtempSync(join(tmpdir(), "ms-ai-"))));
  m = new MemSidecar(server.address, { token: keys.token() });
});
after(async () => { await server.stop(); });

async function assistantReply(text: string): Promise<UIMessage> {
  const stream = createUIMessageStream({
    execute: ({ writer }) => {
      writer.write({ type: "text-start", id: "t1" });
      for (const word of text.split(" ")) writer.write({ type: "text-delta", id: "t1", delta: word + " " });
      writer.write({ type: "text-end", id: "t1" });
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last!;
}

test("a chat of ai's UIMessages is created, saved, loaded, listed and deleted", async () => {
  const chats = createChatStore(m, { generateId });
  const id = await chats.createChat();
  assert.deepEqual(await chats.loadChat(id), []);
  const user: UIMessage = { id: generateId(), role: "user", parts: [{ type: "text", text: "What is the capital of France?" }] };
  const reply = await assistantReply("Paris is the capital");
  await chats.saveChat({ chatId: id, messages: [user, reply] });

  const other = createChatStore(m); // another process: nothing in common but the sidecar
  const loaded = await other.loadChat(id);
  assert.deepEqual(loaded, JSON.parse(JSON.stringify([user, reply]))); // JSON leaves out undefined fields
  const valid = await validateUIMessages({ messages: loaded });
  assert.equal(valid.length, 2);
  const model = await convertToModelMessages(loaded);
  assert.deepEqual(model.map((x) => x.role), ["user", "assistant"]);
  assert.ok((await other.listChats()).includes(id));
  assert.equal(await other.deleteChat(id), true);
  assert.deepEqual(await other.loadChat(id), []);
});

test("two writers of one chat: the second save fails instead of overwriting", async () => {
  const id = await createChatStore(m).createChat();
  const a = createChatStore(m);
  const b = createChatStore(m);
  await a.loadChat(id);
  await b.loadChat(id);
  await a.saveChat({ chatId: id, messages: [{ id: "1", role: "user", parts: [{ type: "text", text: "from a" }] }] });
  await assert.rejects(b.saveChat({ chatId: id, messages: [{ id: "2", role: "user", parts: [{ type: "text", text: "from b" }] }] }), VersionMismatchError);
  const reloaded = await b.loadChat(id);
  await b.saveChat({ chatId: id, messages: [...reloaded, { id: "2", role: "user", parts: [{ type: "text", text: "from b" }] }] });
  assert.equal((await createChatStore(m).loadChat(id)).length, 2);
});
