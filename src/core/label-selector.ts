/** Whether labels satisfy an equality-based label selector: k=v, k==v, k!=v, k, !k, comma-joined (set-based forms are not supported). */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((req) => {
    const ne = /^(.+?)!=(.*)$/.exec(req);
    if (ne) return labels[ne[1] ?? ""] !== ne[2];
    const eq = /^(.+?)==?(.*)$/.exec(req);
    if (eq) return labels[eq[1] ?? ""] === eq[2];
    if (req.startsWith("!")) return !(req.slice(1) in labels);
    return req in labels;
  });
}
