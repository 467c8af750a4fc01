import type { WebClient } from "@slack/web-api";
import type { Directory } from "../ports.ts";

const TTL_MS = 60_000;

/** Which of the policy's user groups a person is in, via usergroups.users.list, cached for a minute. */
export class SlackDirectory implements Directory {
  readonly #client: WebClient;
  readonly #groups: readonly string[];
  readonly #now: () => number;
  #cache: { at: number; members: Map<string, Set<string>> } | null = null;

  constructor(client: WebClient, groups: readonly string[], now: () => number) {
    this.#client = client;
    this.#groups = groups;
    this.#now = now;
  }

  async groupsOf(user: string): Promise<string[]> {
    if (!this.#cache || this.#now() - this.#cache.at > TTL_MS) {
      const members = new Map<string, Set<string>>();
      for (const g of this.#groups) {
        const r = await this.#client.usergroups.users.list({ usergroup: g });
        members.set(g, new Set(r.users ?? []));
      }
      this.#cache = { at: this.#now(), members };
    }
    return [...this.#cache.members].filter(([, users]) => users.has(user)).map(([g]) => g);
  }
}
