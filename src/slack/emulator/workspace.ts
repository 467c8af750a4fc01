import { EventEmitter } from "node:events";

export interface EmuUser {
  id: string;
  name: string;
  realName: string;
}
export interface EmuChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  members: Set<string>;
}
export interface EmuFile {
  id: string;
  name: string;
  title: string;
  altText: string | null;
  bytes: Buffer | null;
  channel: string | null;
  mimetype: string;
}
export interface EmuMessage {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  files: EmuFile[];
  edited: boolean;
  updates: number;
}
export interface EmuEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  ts: string;
}

export interface WorkspaceSeed {
  teamId?: string;
  botUserId?: string;
  users?: { id: string; name: string; realName?: string }[];
  channels?: { id: string; name: string; isPrivate?: boolean; members?: string[] }[];
  usergroups?: Record<string, string[]>;
  /** an admin setting: files.getUploadURLExternal answers file_uploads_disabled */
  fileUploadsDisabled?: boolean;
}

/** What the emulated Slack workspace holds. Changes are announced as "change" events. */
export interface EmuView {
  id: string;
  user: string;
  view: Record<string, unknown>;
  openedAt: number;
}

export class Workspace extends EventEmitter {
  readonly teamId: string;
  readonly botUserId: string;
  readonly users = new Map<string, EmuUser>();
  readonly channels = new Map<string, EmuChannel>();
  readonly usergroups = new Map<string, string[]>();
  readonly messages: EmuMessage[] = [];
  readonly ephemerals: EmuEphemeral[] = [];
  readonly files = new Map<string, EmuFile>();
  /** trigger ids handed out with interactions (views.open takes each once, within 3 s) */
  readonly triggers = new Map<string, { user: string; issuedAt: number }>();
  /** modals opened with views.open, by view id */
  readonly views = new Map<string, EmuView>();
  fileUploadsDisabled: boolean;
  #seq = 0;

  constructor(seed: WorkspaceSeed = {}) {
    super();
    this.setMaxListeners(1000);
    this.teamId = seed.teamId ?? "T0MEMOPS";
    this.botUserId = seed.botUserId ?? "U0MEMOPSBOT";
    const users = seed.users ?? [
      { id: "U0ALICE", name: "alice" },
      { id: "U0BOB", name: "bob" },
    ];
    for (const u of [...users, { id: this.botUserId, name: "memops" }])
      this.users.set(u.id, { id: u.id, name: u.name, realName: ("realName" in u && u.realName) || u.name });
    const channels = seed.channels ?? [{ id: "C0INCIDENTS", name: "incidents" }];
    for (const c of channels)
      this.channels.set(c.id, {
        id: c.id,
        name: c.name,
        isPrivate: c.isPrivate ?? false,
        members: new Set(c.members ?? [...this.users.keys()]),
      });
    for (const [id, members] of Object.entries(seed.usergroups ?? {})) this.usergroups.set(id, members);
    this.fileUploadsDisabled = seed.fileUploadsDisabled ?? false;
  }

  /** Slack timestamps: unique, increasing, "seconds.micro". */
  nextTs(): string {
    const now = Date.now();
    this.#seq = Math.max(this.#seq + 1, now * 1000);
    return `${Math.floor(this.#seq / 1e6)}.${String(this.#seq % 1e6).padStart(6, "0")}`;
  }

  changed(kind: string, payload: unknown) {
    this.emit("change", kind, payload);
  }

  message(channel: string, ts: string): EmuMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Top-level messages of a channel, oldest first. */
  channelMessages(channel: string): EmuMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === null);
  }

  /** Replies in a thread, oldest first. */
  thread(channel: string, ts: string): EmuMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  ephemeralFor(user: string): EmuEphemeral[] {
    return this.ephemerals.filter((e) => e.user === user);
  }

  /** Resolves when `predicate` holds, re-checking after each change. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = predicate();
        if (v) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`emulator: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off("change", check);
      };
      this.on("change", check);
      check();
    });
  }
}
