/**
 * A real etcd and kube-apiserver on loopback ports, with RBAC and static-token identities: an admin
 * (system:masters) and memops's ServiceAccount user, which gets only what deploy/'s RBAC grants.
 * See ../shared/reference/kube-test-control-plane.md.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, fetch as undiciFetch } from "undici";
import { join, resolve } from "node:path";
import { freePort, type ProcessGroup, waitUntil } from "./processes.ts";

export const BIN_DIR = resolve(".cache/control-plane");
export const ADMIN_TOKEN = "memops-admin-token";
export const BOT_TOKEN = "memops-bot-token";
export const BOT_USER = "system:serviceaccount:memops:memops";

export interface ControlPlane {
  url: string;
  caFile: string;
  /** kubeconfig files per identity */
  kubeconfig: { admin: string; bot: string };
  auditLog: string;
}

/** kubectl of the same version: the tier installs memops's manifests with `kubectl apply -k`, as users do */
export const KUBECTL = join(BIN_DIR, "kubectl");

export function controlPlaneBinaries(): { etcd: string; apiserver: string } | null {
  const etcd = join(BIN_DIR, "etcd");
  const apiserver = join(BIN_DIR, "kube-apiserver");
  return existsSync(etcd) && existsSync(apiserver) && existsSync(KUBECTL) ? { etcd, apiserver } : null;
}

function openssl(args: string[]) {
  execFileSync("openssl", args, { stdio: "ignore" });
}

function kubeconfig(file: string, url: string, caFile: string, user: string, token: string) {
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: { server: "${url}", certificate-authority: "${caFile}" }
users:
- name: ${user}
  user: { token: "${token}" }
contexts:
- name: ${user}
  context: { cluster: test, user: ${user} }
current-context: ${user}
`,
  );
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: ["${BOT_USER}"]
- level: None
`;

export async function startControlPlane(group: ProcessGroup, dir: string): Promise<ControlPlane> {
  const bins = controlPlaneBinaries();
  if (!bins)
    throw new Error(`kube-apiserver and etcd are not built: run scripts/build-control-plane.sh (looked in ${BIN_DIR})`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "etcd"), { recursive: true });
  const cert = join(dir, "apiserver.crt"),
    key = join(dir, "apiserver.key");
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
  ]);
  const saKey = join(dir, "sa.key"),
    saPub = join(dir, "sa.pub");
  openssl(["genrsa", "-out", saKey, "2048"]);
  openssl(["rsa", "-in", saKey, "-pubout", "-out", saPub]);
  writeFileSync(
    join(dir, "tokens.csv"),
    `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n${BOT_TOKEN},${BOT_USER},memops-sa-uid,"system:serviceaccounts,system:serviceaccounts:memops"\n`,
  );
  writeFileSync(join(dir, "audit-policy.yaml"), AUDIT_POLICY);

  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcd = group.start(
    "etcd",
    bins.etcd,
    [
      "--data-dir",
      join(dir, "etcd"),
      "--listen-client-urls",
      `http://127.0.0.1:${etcdPort}`,
      "--advertise-client-urls",
      `http://127.0.0.1:${etcdPort}`,
      "--listen-peer-urls",
      `http://127.0.0.1:${peerPort}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${peerPort}`,
      "--initial-cluster",
      `default=http://127.0.0.1:${peerPort}`,
      "--unsafe-no-fsync",
      "--log-level",
      "warn",
    ],
    join(dir, "etcd.log"),
  );
  await waitUntil("etcd", async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000, etcd);

  const url = `https://127.0.0.1:${apiPort}`;
  const auditLog = join(dir, "audit.log");
  const apiserver = group.start(
    "kube-apiserver",
    bins.apiserver,
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      "--advertise-address=127.0.0.1",
      `--tls-cert-file=${cert}`,
      `--tls-private-key-file=${key}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=${url}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      "--disable-admission-plugins=ServiceAccount",
      "--endpoint-reconciler-type=none",
      "--kubelet-preferred-address-types=InternalIP",
      `--audit-policy-file=${join(dir, "audit-policy.yaml")}`,
      `--audit-log-path=${auditLog}`,
      "--audit-log-format=json",
      `--cert-dir=${join(dir, "certs")}`,
      "--v=0",
    ],
    join(dir, "kube-apiserver.log"),
  );
  const ca = readFileSync(cert);
  const dispatcher = new Agent({ connect: { ca } });
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  await waitUntil(
    "kube-apiserver",
    async () => {
      const ready = await undiciFetch(`${url}/readyz`, { headers: admin, dispatcher });
      const ns = await undiciFetch(`${url}/api/v1/namespaces/default`, { headers: admin, dispatcher });
      return ready.ok && ns.ok;
    },
    90_000,
    apiserver,
  );
  await dispatcher.close();

  const kc = { admin: join(dir, "admin.kubeconfig"), bot: join(dir, "bot.kubeconfig") };
  kubeconfig(kc.admin, url, cert, "admin", ADMIN_TOKEN);
  kubeconfig(kc.bot, url, cert, "memops", BOT_TOKEN);
  return { url, caFile: cert, kubeconfig: kc, auditLog };
}
