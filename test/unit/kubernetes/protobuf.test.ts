import { describe, expect, it } from "vitest";
import { podListRequests } from "../../../src/kubernetes/node-requests.ts";
import { eachField, unwrapKubernetes } from "../../../src/kubernetes/protobuf.ts";

/** A tiny protobuf writer for the tests: length-delimited fields (strings, messages) and varints. */
const varint = (n: number): number[] => {
  const out = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  return [...out, n];
};
const field = (n: number, body: number[] | string): number[] => {
  const bytes = typeof body === "string" ? [...Buffer.from(body)] : body;
  return [...varint(n * 8 + 2), ...varint(bytes.length), ...bytes];
};
const number = (n: number, v: number) => [...varint(n * 8), ...varint(v)];
const envelope = (object: number[]) =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...field(1, "typemeta"), ...field(2, object)]);

const requests = (memory: string) => field(2, [...field(1, "memory"), ...field(2, field(1, memory))]);
const container = (memory: string, restart?: string) => [
  ...field(1, "c"),
  ...number(16, 1), // stdin: a varint to skip
  ...field(8, [...field(1, [...field(1, "cpu"), ...field(2, field(1, "1"))]), ...requests(memory)]),
  ...(restart ? field(24, restart) : []),
];

describe("reading the API server's protobuf", () => {
  it("visits length-delimited fields in order and skips numbers", () => {
    const buf = Uint8Array.from([...number(1, 300), ...field(2, "ab"), ...number(3, 2 ** 40), ...field(4, [])]);
    const seen: [number, number][] = [];
    eachField(buf, { start: 0, end: buf.length }, (f, s) => seen.push([f, s.end - s.start]));
    expect(seen).toEqual([
      [2, 2],
      [4, 0],
    ]);
  });

  it("refuses what is cut short or not Kubernetes' envelope, in words", () => {
    const cut = Uint8Array.from(field(2, "abcdef").slice(0, 5));
    expect(() => eachField(cut, { start: 0, end: cut.length }, () => undefined)).toThrow(
      "protobuf: field runs past its message",
    );
    expect(() => eachField(Uint8Array.from([0x08, 0x80]), { start: 0, end: 2 }, () => undefined)).toThrow(
      "protobuf: truncated varint",
    );
    expect(() => unwrapKubernetes(Uint8Array.from([0x7b, 0x22]))).toThrow("not a Kubernetes protobuf answer");
  });

  it("sums a PodList's memory requests as the scheduler does, and reads its continue token", () => {
    const pod = (spec: number[]) => field(2, field(2, spec));
    const list = [
      ...field(1, [...field(2, "1234"), ...field(3, "next-page")]),
      ...pod([...field(2, container("100Mi")), ...field(2, container("50Mi")), ...field(10, "node-a")]),
      // init 300Mi beats 40Mi + a 20Mi sidecar
      ...pod([
        ...field(20, container("300Mi")),
        ...field(20, container("20Mi", "Always")),
        ...field(2, container("40Mi")),
      ]),
      // the pod-level request wins, the overhead adds
      ...pod([
        ...field(2, container("1Gi")),
        ...field(40, requests("512Mi")),
        ...field(32, [...field(1, "memory"), ...field(2, field(1, "16Mi"))]),
      ]),
      ...pod([...field(2, field(1, "no-resources"))]),
    ];
    expect(podListRequests(envelope(list))).toEqual({
      pods: 4,
      requestedBytes: (150 + 300 + 512 + 16) * 2 ** 20,
      continueToken: "next-page",
    });
  });
});
