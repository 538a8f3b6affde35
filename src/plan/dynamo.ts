/**
 * Dynamo artifacts, rules and dry run.
 *
 * Follows deploy/cloud/operator/api/v1alpha1/dynamographdeployment_types.go @ 039eb63 and
 * deploy/operator/api/v1alpha1/dynamocomponentdeployment_types.go (DynamoGraphDeployment nvidia.com/v1alpha1:
 * spec.services of component specs with componentType, subComponentType, resources.limits.gpu,
 * multinode.nodeCount ≥ 2, sharedMemory, volumeMounts, extraPodSpec.mainContainer), the validation webhook
 * (45-character Grove name limit) and the operator's backend files backend_sglang.go @ 0200730,
 * backend_trtllm.go @ 02b3bad, backend_vllm.go @ 039eb63 (what it injects into multinode pods).
 */
import Ajv from "ajv";
import { LineCounter, parseAllDocuments } from "yaml";
import type { ResolvedPlanInputs } from "./inputs";
import type { PlanResult, PoolPlan } from "./search";
import { sourceHeader } from "./sources";
import { finding, lineOf, type Finding } from "./findings";
import type { LintContext } from "./context";
import { nearestKey } from "./validate";
import { findEngineCommands, intFlag, shellQuote, type EngineCommand } from "./commandline";
import { sglangArgs, sglangExpertLocation, SGLANG_BOOLEAN_FLAGS, lintSglangCommand } from "./sglang";
import { vllmArgs, VLLM_BOOLEAN_FLAGS, lintVllmCommand } from "./vllm";
import { trtllmEngineArgs, trtllmLoadBalancer, toYaml, TRTLLM_BOOLEAN_FLAGS, lintTrtllmCommand } from "./trtllm";

/** Grove's limit on PodCliqueSet + scaling group + PodClique name lengths (webhook validateServiceNameLength). */
export const GROVE_NAME_LIMIT = 45;
/** Where the engine-config ConfigMap is mounted in worker pods. */
export const CONFIG_MOUNT = "/engine-config";
const BACKENDS = ["sglang", "trtllm", "vllm"] as const;
/** A Dynamo backend framework. */
export type DynamoBackend = (typeof BACKENDS)[number];

const SHARED_SPEC_FIELDS = [
  "annotations", "labels", "serviceName", "componentType", "subComponentType", "dynamoNamespace", "globalDynamoNamespace", "resources", "autoscaling",
  "envs", "envFromSecret", "volumeMounts", "ingress", "modelRef", "sharedMemory", "extraPodMetadata", "extraPodSpec", "livenessProbe", "readinessProbe",
  "replicas", "multinode", "scalingAdapter", "eppConfig", "frontendSidecar", "checkpoint", "topologyConstraint", "gpuMemoryService", "failover",
  // older operator versions
  "pvc", "compilationCache",
];
const RESOURCE_ITEM = { type: "object", additionalProperties: false, properties: { cpu: { type: "string" }, memory: { type: "string" }, gpu: { type: "string", pattern: "^[0-9]+$" }, gpuType: { type: "string" }, custom: { type: "object" } } };

/** Our JSON schema of a DynamoGraphDeployment (unknown fields are errors where the CRD defines the object). */
export const DGD_SCHEMA = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "nvidia.com/v1alpha1" },
    kind: { const: "DynamoGraphDeployment" },
    metadata: { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" } } },
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        dynamoGraph: { type: "string" },
        pvcs: { type: "array", items: { type: "object", additionalProperties: false, properties: { create: { type: "boolean" }, name: { type: "string" }, storageClass: { type: "string" }, size: {}, volumeAccessMode: { type: "string" } } } },
        services: {
          type: "object",
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            properties: {
              ...Object.fromEntries(SHARED_SPEC_FIELDS.map((k) => [k, {}])),
              componentType: { type: "string" },
              subComponentType: { type: "string" },
              replicas: { type: "integer", minimum: 0 },
              multinode: { type: "object", additionalProperties: false, required: ["nodeCount"], properties: { nodeCount: { type: "integer", minimum: 2 } } },
              resources: { type: "object", additionalProperties: false, properties: { requests: RESOURCE_ITEM, limits: RESOURCE_ITEM, claims: { type: "array" } } },
              sharedMemory: { type: "object", additionalProperties: false, properties: { disabled: { type: "boolean" }, size: {} } },
              volumeMounts: { type: "array", items: { type: "object", additionalProperties: false, required: ["name"], properties: { name: { type: "string" }, mountPoint: { type: "string" }, useAsCompilationCache: { type: "boolean" } } } },
              envs: { type: "array", items: { type: "object", required: ["name"] } },
              extraPodSpec: { type: "object", properties: { mainContainer: { type: "object", properties: { command: { type: "array", items: { type: "string" } }, args: { type: "array", items: { type: "string" } } } } } },
            },
          },
        },
        envs: { type: "array" },
        backendFramework: { enum: ["sglang", "vllm", "trtllm"] },
        restart: { type: "object" },
        topologyConstraint: { type: "object" },
        priorityClassName: { type: "string" },
      },
    },
  },
} as const;
const validateDgd = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(DGD_SCHEMA);

function dgdName(planName: string, backend: DynamoBackend): string {
  const suffix = { sglang: "sgl", trtllm: "trt", vllm: "vll" }[backend];
  const room = GROVE_NAME_LIMIT - "prefill".length * 2 - "-ldr".length - suffix.length - 1;
  return `${planName.slice(0, room).replace(/-+$/, "")}-${suffix}`;
}

/** Hugging Face id of a catalog model (the engines' --model / --model-path). */
export function modelPath(name: string): string {
  const map: Record<string, string> = { "deepseek-v3": "deepseek-ai/DeepSeek-V3", "kimi-k2": "moonshotai/Kimi-K2-Instruct", "qwen3-235b-a22b": "Qwen/Qwen3-235B-A22B", "qwen3-30b-a3b": "Qwen/Qwen3-30B-A3B", "mixtral-8x7b": "mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x22b": "mistralai/Mixtral-8x22B-Instruct-v0.1", "gpt-oss-120b": "openai/gpt-oss-120b", "llama4-maverick": "meta-llama/Llama-4-Maverick-17B-128E-Instruct" };
  return map[name] ?? name;
}

/** Pools of a plan with their file-name role. */
export function planPools(plan: PlanResult): { role: "prefill" | "decode" | "aggregated"; pool: PoolPlan; placement: number[][] }[] {
  const out: { role: "prefill" | "decode" | "aggregated"; pool: PoolPlan; placement: number[][] }[] = [];
  if (plan.chosen.prefill && plan.placements.prefill) out.push({ role: "prefill", pool: plan.chosen.prefill, placement: plan.placements.prefill });
  out.push({ role: plan.chosen.kind === "aggregated" ? "aggregated" : "decode", pool: plan.chosen.decode, placement: plan.placements.decode });
  return out;
}

function workerArgs(backend: DynamoBackend, role: "prefill" | "decode" | "aggregated", pool: PoolPlan, inp: ResolvedPlanInputs): { command: string[]; args: string[] } {
  const m = modelPath(inp.model.name);
  if (backend === "sglang") return { command: ["python3", "-m", "dynamo.sglang"], args: sglangArgs(pool, inp, m, `${CONFIG_MOUNT}/${role}-expert-location.json`) };
  if (backend === "vllm") {
    const a = ["--model", m, ...vllmArgs(pool, inp)];
    if (pool.nodesPerInstance > 1) a.push("--data-parallel-backend", "ray");
    if (role !== "aggregated") a.push("--disaggregation-mode", role);
    return { command: ["python3", "-m", "dynamo.vllm"], args: a };
  }
  const a = ["--model-path", m, "--served-model-name", m, "--extra-engine-args", `${CONFIG_MOUNT}/${role}.yaml`];
  if (role !== "aggregated") a.push("--disaggregation-mode", role);
  return { command: ["python3", "-m", "dynamo.trtllm"], args: a };
}

/**
 * A ConfigMap with the engine files and a DynamoGraphDeployment for one backend, as one multi-document YAML.
 * @param plan a planDeployment result
 * @param backend "sglang", "trtllm" or "vllm"
 * @param options image: container image of frontend and workers
 * @returns YAML text (source header comment, then the documents)
 * @throws {RangeError} for an unknown backend
 */
export function dynamoDeployment(plan: PlanResult, backend: DynamoBackend, options: { image?: string } = {}): string {
  if (!BACKENDS.includes(backend)) throw new RangeError(`backend must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(backend)}`);
  const inp = plan.inputs;
  const name = dgdName(inp.name, backend);
  const image = options.image ?? `nvcr.io/nvidia/ai-dynamo/${backend === "trtllm" ? "tensorrtllm" : backend}-runtime:latest`;
  const data: Record<string, string> = {};
  const services: Record<string, unknown> = {
    Frontend: {
      componentType: "frontend",
      replicas: 1,
      extraPodSpec: { mainContainer: { image, command: ["python3", "-m", "dynamo.frontend"], args: ["--http-port", "8000"] } },
    },
  };
  for (const { role, pool, placement } of planPools(plan)) {
    if (backend === "trtllm") {
      data[`${role}.yaml`] = toYaml(trtllmEngineArgs(pool, inp, `${CONFIG_MOUNT}/${role}-load-balancer.yaml`));
      data[`${role}-load-balancer.yaml`] = toYaml(trtllmLoadBalancer(pool, inp.model, placement));
    } else if (backend === "sglang") data[`${role}-expert-location.json`] = JSON.stringify(sglangExpertLocation(inp.model, placement));
    const gpusPerPod = Math.min(pool.gpusPerInstance, inp.gpusPerNode);
    const { command, args } = workerArgs(backend, role, pool, inp);
    const svc: Record<string, unknown> = {
      componentType: "worker",
      ...(role === "aggregated" ? {} : { subComponentType: role }),
      replicas: pool.instances,
      resources: { requests: { gpu: String(gpusPerPod) }, limits: { gpu: String(gpusPerPod) } },
      sharedMemory: { size: "80Gi" },
      volumeMounts: [{ name: "model-cache", mountPoint: "/root/.cache/huggingface" }],
      extraPodSpec: {
        volumes: Object.keys(data).length ? [{ name: "engine-config", configMap: { name: `${name}-config` } }] : undefined,
        mainContainer: {
          image,
          command,
          args,
          ...(Object.keys(data).length ? { volumeMounts: [{ name: "engine-config", mountPath: CONFIG_MOUNT }] } : {}),
        },
      },
    };
    if (pool.nodesPerInstance > 1) svc.multinode = { nodeCount: pool.nodesPerInstance };
    if (!(svc.extraPodSpec as Record<string, unknown>).volumes) delete (svc.extraPodSpec as Record<string, unknown>).volumes;
    services[role === "aggregated" ? "worker" : role] = svc;
  }
  const dgd = {
    apiVersion: "nvidia.com/v1alpha1",
    kind: "DynamoGraphDeployment",
    metadata: { name },
    spec: { backendFramework: backend, pvcs: [{ name: "model-cache", create: false }], services },
  };
  const header = [
    `# ${inp.model.label} on ${inp.gpuBudget} × ${inp.gpu.label}: plan ${inp.name}, ${backend} workers under Dynamo.`,
    "# kubectl apply -f this file (the ConfigMap holds the engine files the workers read from " + CONFIG_MOUNT + ").",
    "# Field names and rules follow:",
    ...sourceHeader(["dynamoGraphTypes", "dynamoComponentTypes", "dynamoWebhook", backend === "sglang" ? "dynamoSglangBackend" : backend === "trtllm" ? "dynamoTrtllmBackend" : "dynamoVllmBackend", "dynamoWorkers"]).map((l) => `#   ${l}`),
  ];
  const docs: string[] = [];
  if (Object.keys(data).length) docs.push(toYaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-config` }, data }));
  docs.push(toYaml(dgd));
  return `${header.join("\n")}\n${docs.join("---\n")}`;
}

interface ParsedDgd {
  obj: Record<string, unknown>;
  at: (p: (string | number)[]) => number;
  files: Map<string, string>;
}

function parseDocs(file: string, text: string, out: Finding[]): { dgds: ParsedDgd[]; others: number } {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  const list = Array.isArray(docs) ? docs : [docs];
  const configMaps = new Map<string, Record<string, string>>();
  const dgds: { obj: Record<string, unknown>; at: (p: (string | number)[]) => number }[] = [];
  for (const doc of list) {
    for (const err of doc.errors) out.push(finding("yaml/syntax", "error", file, lc.linePos(err.pos[0]).line, err.message, "dynamoGraphTypes"));
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj || typeof obj !== "object") continue;
    if (obj.kind === "ConfigMap") configMaps.set(String((obj.metadata as Record<string, unknown>)?.name), (obj.data ?? {}) as Record<string, string>);
    else if (obj.kind === "DynamoGraphDeployment" || String(obj.apiVersion ?? "").startsWith("nvidia.com/")) dgds.push({ obj, at: (p) => lineOf(doc, lc, p) });
  }
  return {
    dgds: dgds.map((d) => {
      const files = new Map<string, string>();
      const services = ((d.obj.spec as Record<string, unknown>)?.services ?? {}) as Record<string, Record<string, unknown>>;
      for (const svc of Object.values(services)) {
        const eps = svc?.extraPodSpec as Record<string, unknown> | undefined;
        const vols = (eps?.volumes ?? []) as { name?: string; configMap?: { name?: string } }[];
        const mounts = ((eps?.mainContainer as Record<string, unknown>)?.volumeMounts ?? []) as { name?: string; mountPath?: string }[];
        for (const v of vols) {
          const cm = v.configMap?.name ? configMaps.get(v.configMap.name) : undefined;
          const mount = mounts.find((m) => m.name === v.name)?.mountPath;
          if (cm && mount) for (const [k, t] of Object.entries(cm)) files.set(`${mount.replace(/\/$/, "")}/${k}`, String(t));
        }
      }
      return { ...d, files };
    }),
    others: list.length - dgds.length,
  };
}

function commandOf(svc: Record<string, unknown>): { text: string; line: (string | number)[] } | undefined {
  const mc = (svc.extraPodSpec as Record<string, unknown> | undefined)?.mainContainer as Record<string, unknown> | undefined;
  if (!mc) return undefined;
  const cmd = Array.isArray(mc.command) ? (mc.command as string[]) : [];
  const args = Array.isArray(mc.args) ? (mc.args as string[]) : [];
  const all = [...cmd, ...args];
  const c = all.indexOf("-c");
  // `sh -c "python3 -m …"`: the script is one word; otherwise re-quote the words into a command line.
  const text = c >= 0 && c + 1 < all.length && /sh$/.test(all[0] ?? "") ? all.slice(c + 1).join(" ") : all.map(shellQuote).join(" ");
  return { text, line: ["extraPodSpec", "mainContainer", args.length ? "args" : "command"] };
}

/**
 * Engine world size of a worker's command: SGLang --tp; vLLM TP × DP × PP; TensorRT-LLM tensor_parallel_size ×
 * pipeline_parallel_size of its --extra-engine-args YAML (or its flags).
 */
function worldSize(cmd: EngineCommand, files: Map<string, string>): number | undefined {
  if (cmd.engine === "sglang") return (intFlag(cmd, ["--tp-size", "--tp", "--tensor-parallel-size"]) ?? 1) * (intFlag(cmd, ["--pp-size", "--pp"]) ?? 1);
  if (cmd.engine === "vllm") return (intFlag(cmd, ["--tensor-parallel-size", "-tp"]) ?? 1) * (intFlag(cmd, ["--data-parallel-size", "-dp"]) ?? 1) * (intFlag(cmd, ["--pipeline-parallel-size", "-pp"]) ?? 1);
  const cfg = cmd.flags.find((f) => f.name === "--extra-engine-args" || f.name === "--config" || f.name === "--extra_llm_api_options");
  if (cfg && cfg.value !== true) {
    const text = files.get(cfg.value);
    if (text !== undefined) {
      const o = (parseAllDocuments(text)[0]?.toJS() ?? {}) as Record<string, unknown>;
      const tp = typeof o.tensor_parallel_size === "number" ? o.tensor_parallel_size : 1;
      const pp = typeof o.pipeline_parallel_size === "number" ? o.pipeline_parallel_size : 1;
      return tp * pp;
    }
  }
  const tp = intFlag(cmd, ["--tensor-parallel-size", "--tp_size", "--tensor_parallel_size"]);
  return tp;
}

/**
 * Lint a file holding a DynamoGraphDeployment (and optionally the ConfigMaps its workers mount).
 * @param file path for findings
 * @param text YAML text
 * @param ctx isl / numExperts when known
 * @returns findings: schema (unknown fields with the nearest known one), GPUs vs engine world size, Grove name
 *   length, role vs disaggregation mode, and every rule of the engine whose command the workers run
 * @throws {TypeError} when text is not a string
 */
export function lintDynamoYaml(file: string, text: string, ctx: LintContext): Finding[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  const out: Finding[] = [];
  const { dgds } = parseDocs(file, text, out);
  const bools = { sglang: SGLANG_BOOLEAN_FLAGS, vllm: VLLM_BOOLEAN_FLAGS, trtllm: TRTLLM_BOOLEAN_FLAGS };
  for (const { obj, at, files } of dgds) {
    validateDgd(obj);
    for (const e of validateDgd.errors ?? []) {
      const path = e.instancePath.split("/").filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      if (e.keyword === "additionalProperties") {
        const extra = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> })?.properties ?? {});
        out.push(finding("dynamo/schema", "error", file, at([...path, extra]), `unknown field ${JSON.stringify(extra)} at ${path.join(".") || "the top level"} (did you mean ${JSON.stringify(nearestKey(extra, known))}?); the operator's CRD does not have it`, "dynamoComponentTypes"));
      } else out.push(finding("dynamo/schema", "error", file, at(path), `${path.join(".") || "document"} ${e.message}`, "dynamoComponentTypes"));
    }
    const name = String((obj.metadata as Record<string, unknown>)?.name ?? "");
    const services = ((obj.spec as Record<string, unknown>)?.services ?? {}) as Record<string, Record<string, unknown>>;
    for (const [svcName, svc] of Object.entries(services)) {
      if (!svc || typeof svc !== "object") continue;
      const base: (string | number)[] = ["spec", "services", svcName];
      const nodes = typeof (svc.multinode as Record<string, unknown> | undefined)?.nodeCount === "number" ? ((svc.multinode as Record<string, unknown>).nodeCount as number) : 1;
      const low = svcName.toLowerCase();
      const combined = nodes > 1 ? name.length + low.length + `${low}-ldr`.length : name.length + low.length;
      if (combined > GROVE_NAME_LIMIT) {
        out.push(finding("dynamo/name-length", "error", file, at(base), `names built from "${name}" and service "${svcName}" are ${combined} characters long (PodCliqueSet + ${nodes > 1 ? "scaling group + PodClique" : "PodClique"}); Grove allows ${GROVE_NAME_LIMIT}`, "dynamoWebhook"));
      }
      const c = commandOf(svc);
      if (!c) continue;
      const cmds = findEngineCommands(c.text, bools);
      if (cmds.length === 0) continue;
      const cmdLine = at([...base, ...c.line]);
      const cmd = cmds[0];
      const relocated: EngineCommand = { ...cmd, line: cmdLine, flags: cmd.flags.map((f) => ({ ...f, line: cmdLine })) };
      const gpu = Number(((svc.resources as Record<string, Record<string, unknown>> | undefined)?.limits?.gpu ?? 0) as number | string);
      const ws = worldSize(relocated, files);
      if (ws !== undefined && gpu > 0 && nodes * gpu !== ws) {
        out.push(finding("dynamo/world-size", "error", file, at([...base, "resources", "limits", "gpu"]), `service ${svcName} gets nodeCount × limits.gpu = ${nodes} × ${gpu} = ${nodes * gpu} GPUs per replica, but its ${cmd.engine} engine's world size is ${ws}`, "dynamoComponentTypes"));
      }
      if (ws !== undefined && ws > 0 && gpu === 0) {
        out.push(finding("dynamo/world-size", "error", file, at(base), `service ${svcName} runs a ${ws}-GPU engine but requests no GPUs (resources.limits.gpu)`, "dynamoComponentTypes"));
      }
      const mode = cmd.flags.find((f) => f.name === "--disaggregation-mode")?.value;
      const sub = svc.subComponentType;
      if (typeof mode === "string" && mode !== "agg" && sub !== mode) {
        out.push(finding("dynamo/sub-component-type", "warning", file, at([...base, sub === undefined ? "componentType" : "subComponentType"]), `the worker runs --disaggregation-mode ${mode} but subComponentType is ${sub === undefined ? "missing" : JSON.stringify(sub)}; the planner and router find prefill/decode workers by it`, "dynamoComponentTypes"));
      }
      const role = typeof mode === "string" && (mode === "prefill" || mode === "decode") ? mode : undefined;
      const sub2: LintContext = { ...ctx, files };
      const where = `${file} (service ${svcName})`;
      const found = cmd.engine === "sglang" ? lintSglangCommand(where, relocated, sub2) : cmd.engine === "vllm" ? lintVllmCommand(where, relocated, sub2) : lintTrtllmCommand(where, relocated, sub2, role);
      out.push(...found.map((f) => (f.file.startsWith("/") || f.file.startsWith(CONFIG_MOUNT) ? { ...f, file: `${file} → ConfigMap ${f.file}` } : f)));
    }
  }
  return out;
}

/** One pod the operator would start. */
export interface DryRunPod {
  service: string;
  replica: number;
  /** "leader", "worker" or "single". */
  role: "leader" | "worker" | "single";
  /**
   * The pod's hostname under the deployment's headless service `<dgd>-0`: `<PodClique>-<index>`. The PodClique of a
   * single-node service is `<dgd>-0-<service>` (one pod per replica); a multinode service is a scaling group
   * `<dgd>-0-<service>` whose replica r has the PodCliques `<dgd>-0-<service>-<r>-<service>-ldr` (one pod) and
   * `…-wkr` (nodeCount − 1 pods). Kubernetes names the pod itself `<PodClique>-<random suffix>`.
   */
  pod: string;
  /** The deployment's headless service `<dgd>-0`, under which `pod` resolves as `<pod>.<headlessService>`. */
  headlessService: string;
  gpus: number;
  /** The main container's command line after the operator's changes. */
  command: string;
  /** What the operator added or replaced (empty for single-node pods). */
  injected: string;
}

/**
 * Expand a DynamoGraphDeployment into the pods and per-pod command lines the operator starts: Grove's names (one
 * PodCliqueSet `<dgd>` with replica 0, as the operator's grove.go builds and finds them: `SOURCES.dynamoGroveNames`, `SOURCES.groveHostnames`)
 * and the multinode flags per backend as in the operator's backend_*.go, with the Grove variables in those flags
 * resolved.
 * @param text YAML text holding a DynamoGraphDeployment (ConfigMaps are skipped)
 * @returns one row per pod
 * @throws {RangeError} when the text holds no DynamoGraphDeployment
 * @example dryRunDynamo(yamlText).map(p => p.pod)
 */
export function dryRunDynamo(text: string): DryRunPod[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  const { dgds } = parseDocs("input", text, []);
  if (dgds.length === 0) throw new RangeError("the text holds no DynamoGraphDeployment");
  const rows: DryRunPod[] = [];
  for (const { obj } of dgds) {
    const name = String((obj.metadata as Record<string, unknown>)?.name ?? "dgd");
    const backend = String((obj.spec as Record<string, unknown>)?.backendFramework ?? "");
    const services = ((obj.spec as Record<string, unknown>)?.services ?? {}) as Record<string, Record<string, unknown>>;
    for (const [svcName, svc] of Object.entries(services)) {
      const replicas = typeof svc.replicas === "number" ? svc.replicas : 1;
      const nodes = typeof (svc.multinode as Record<string, unknown> | undefined)?.nodeCount === "number" ? ((svc.multinode as Record<string, unknown>).nodeCount as number) : 1;
      const gpus = Number(((svc.resources as Record<string, Record<string, unknown>> | undefined)?.limits?.gpu ?? 0) as number | string) || 0;
      const c = commandOf(svc)?.text ?? "";
      const low = svcName.toLowerCase();
      // Grove: PodCliqueSet `name`, replica 0; a service is a PodClique (or, multinode, a scaling group) `<name>-0-<svc>`
      const clique = `${name}-0-${low}`;
      const headless = `${name}-0`;
      for (let r = 0; r < replicas; r++) {
        if (nodes <= 1) {
          rows.push({ service: svcName, replica: r, role: "single", pod: `${clique}-${r}`, headlessService: headless, gpus, command: c, injected: "" });
          continue;
        }
        const group = `${clique}-${r}-${low}`; // GROVE_PCSG_NAME-GROVE_PCSG_INDEX-<svc>
        const leaderHost = `${group}-ldr-0.${headless}`;
        for (let n = 0; n < nodes; n++) {
          const leader = n === 0;
          const pod = leader ? `${group}-ldr-0` : `${group}-wkr-${n - 1}`;
          let command: string;
          let injected: string;
          if (backend === "sglang") {
            injected = `--dist-init-addr ${leaderHost}:29500 --nnodes ${nodes} --node-rank ${n}`;
            command = `${c} ${injected}`;
          } else if (backend === "vllm") {
            injected = leader ? "ray start --head --port=6379 && (then the command)" : `ray start --address=${leaderHost}:6379 --block (replaces the command)`;
            command = leader ? `ray start --head --port=6379 && ${c}` : `ray start --address=${leaderHost}:6379 --block`;
          } else if (backend === "trtllm") {
            const hosts = [leaderHost, ...Array.from({ length: nodes - 1 }, (_, i) => `${group}-wkr-${i}.${headless}`)];
            injected = leader ? `mpirun --oversubscribe -n ${nodes * gpus} -H <${nodes} pods> … trtllm-llmapi-launch (around the command)` : "sshd on port 2222 (replaces the command)";
            command = leader ? `mpirun --oversubscribe -n ${nodes * gpus} -H ${hosts.join(",")} … bash -c 'trtllm-llmapi-launch ${c}'` : "/usr/sbin/sshd -D (waits for the leader's mpirun)";
          } else {
            command = c;
            injected = "";
          }
          rows.push({ service: svcName, replica: r, role: leader ? "leader" : "worker", pod, headlessService: headless, gpus, command, injected });
        }
      }
    }
  }
  return rows;
}
