/**
 * `@memsidecar/client/ai` — chat persistence for the Vercel AI SDK (`ai` ≥ 5): each chat is a JSON
 * `UIMessage[]` under one kv key (the chat id), as the original's. Saves are compare-and-set on the key's
 * version, so two writers never silently overwrite each other: the loser gets a VersionMismatchError
 * (load the chat again, merge, save).
 *
 * ```ts
 * const chats = createChatStore(m);                  // namespace "chats"
 * const id = await chats.createChat();
 * const messages = await chats.loadChat(id);
 * await chats.saveChat({ chatId: id, messages: [...messages, reply] });
 * ```
 */
import type { UIMessage } from "ai";
import type { MemSidecar } from "./index.js";

export interface ChatStoreOptions {
  namespace?: string;
  /** How new chat ids are made (default: a random UUID). */
  generateId?: () => string;
}

export interface ChatStore<M extends UIMessage = UIMessage> {
  /** A new, empty chat; its id. */
  createChat(): Promise<string>;
  /** The chat's messages ([] for a chat that does not exist). */
  loadChat(chatId: string): Promise<M[]>;
  /** Stores the chat's messages — only over the version this store last loaded or saved (a chat it never
   * saw must not exist yet), else VersionMismatchError. */
  saveChat(args: { chatId: string; messages: M[] }): Promise<void>;
  /** True if the chat existed. */
  deleteChat(chatId: string): Promise<boolean>;
  /** Every chat id in the namespace, in id order. */
  listChats(): Promise<string[]>;
}

export function createChatStore<M extends UIMessage = UIMessage>(client: MemSidecar, options: ChatStoreOptions = {}): ChatStore<M> {
  const namespace = options.namespace ?? "chats";
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const versions = new Map<string, bigint>(); // chat id -> version last seen by this store
  const decoder = new TextDecoder();

  return {
    async createChat() {
      const chatId = generateId();
      const put = await client.kv.put(namespace, chatId, "[]", { contentType: "application/json", ifVersion: 0n });
      versions.set(chatId, put.version);
      return chatId;
    },
    async loadChat(chatId) {
      const got = await client.kv.get(namespace, chatId);
      if (!got.found) {
        versions.set(chatId, 0n);
        return [];
      }
      versions.set(chatId, got.version);
      return JSON.parse(decoder.decode(got.value)) as M[];
    },
    async saveChat({ chatId, messages }) {
      const put = await client.kv.put(namespace, chatId, JSON.stringify(messages),
        { contentType: "application/json", ifVersion: versions.get(chatId) ?? 0n });
      versions.set(chatId, put.version);
    },
    async deleteChat(chatId) {
      versions.delete(chatId);
      return client.kv.delete(namespace, chatId);
    },
    async listChats() {
      const ids: string[] = [];
      for await (const item of client.kv.scan(namespace)) ids.push(item.key);
      return ids;
    },
  };
}
