/** The shape of the emulator's Web API answers. */
export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}
export type Args = Record<string, unknown>;

export const fail = (error: string, extra: Record<string, unknown> = {}): ApiReply => ({
  status: 200,
  body: { ok: false, error, ...extra },
});
export const ok = (body: Record<string, unknown> = {}): ApiReply => ({ status: 200, body: { ok: true, ...body } });
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
