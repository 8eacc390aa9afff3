/**
 * Section `rest`: the controller's REST gateway (src/controller/rest/, started by `ControllerConfig.httpAddr`)
 * against the controller's own gRPC API, both on one lmdb controller (temp dir) on 127.0.0.1, controller and
 * clients in this process. Every figure's REST and gRPC runs alternate in the same rounds (~35 s in all).
 *
 * - `create_flavor_per_s`: CreateFlavor calls/s, `POST /create/flavor` with the Flavor as JSON (answer `{}`) from 16
 *   concurrent callers (closed loop, node:http with a keep-alive Agent of 16 sockets), a new flavor name each call.
 *   Baseline: gRPC CreateFlavor from 16 callers (one FlavorApiClient) to the same controller.
 * - `p99_create_ms`: p99 latency of those REST calls, pooled over the rounds; baseline: the gRPC calls' p99.
 * - `show_objects_per_s`: objects/s of `POST /show/appinst` (empty filter) of 20k stored AppInsts, every NDJSON line
 *   `{"result": {...}}` parsed with JSON.parse as it arrives. Baseline: gRPC ShowAppInst of the same 20k to an
 *   AppInstApiClient reading to the end (messages decoded). The AppInsts are seeded as the `controller` section's
 *   show figure seeds them (`seedAppInsts`: `appInst(i)` of notify-fixtures, 100 per transaction).
 *
 * Notes give the process CPU per call / per object of each candidate (user + system of this process, which runs
 * client, gateway and controller alike), and a once-off split of the show's JSON costs.
 */
import { performance } from 'node:perf_hooks';

import * as grpc from '@grpc/grpc-js';

import { AppInst, AppInstApiClient } from '../../src/gen/edgeproto/app_inst.js';
import { Flavor, FlavorApiClient } from '../../src/gen/edgeproto/flavor.js';
import { messageToJson } from '../../src/wire/message-json.js';
import { keyString } from '../../src/wire/object-key.js';
import { messageFromJson } from '../../src/wire/strict-json.js';
import { closedLoop } from '../lib/concurrency.js';
import { countAll, insecure, seedAppInsts, SEED_BATCH } from '../lib/controller-fixtures.js';
import { percentile } from '../lib/crm-fixtures.js';
import { createFlavor, flavorRequest } from '../lib/flavor-calls.js';
import { forceGc } from '../lib/gc.js';
import { formatSpread, interleaveRuns, stats, type RoundStats } from '../lib/measure.js';
import { appInst, withDeadline } from '../lib/notify-fixtures.js';
import { restClient, startRestController, type RestBenchController, type RestClient } from '../lib/rest-fixtures.js';
import type { BenchContext, Figure, Section } from '../lib/types.js';

/** Concurrent callers of the create figures. */
const CONCURRENCY = 16;

/** CreateFlavor: 2 candidates x 5 rounds x 1 s = 10 s, after 0.5 s of warm-up each. */
const CREATE = { rounds: 5, durationMs: 1000, warmupMs: 500 } as const;

/** Show: 20k AppInsts, 5 rounds of each candidate (~0.3-2 s each). */
const SHOW = { objects: 20_000, rounds: 5, deadlineMs: 60_000 } as const;

const REST_PREFIX = 'bench-rest-flavor';
const GRPC_PREFIX = 'bench-grpc-flavor';

function spreadNote(s: RoundStats): string {
  return `spread ${formatSpread(s.spread)}`;
}

/** Process CPU (user + system) in ms since `from` (a `process.cpuUsage()`). */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** The JSON body a REST client sends for the `n`th flavor of `prefix`. */
function flavorBody(prefix: string, n: number): string {
  return JSON.stringify(messageToJson(Flavor, flavorRequest(prefix, n)));
}

// ---- create_flavor_per_s, p99_create_ms -----------------------------------------------------------------

async function createFigures(ctx: BenchContext, ctl: RestBenchController, rest: RestClient): Promise<Figure[]> {
  const grpcClient = new FlavorApiClient(ctl.apiAddress, insecure);
  try {
    const flavors = ctl.controller.objects.cache(ctl.controller.kinds.flavor);
    const grpcCreate = createFlavor(grpcClient, GRPC_PREFIX);
    const restCreate = async (n: number): Promise<void> => {
      const answer = await rest.post('/create/flavor', flavorBody(REST_PREFIX, n));
      if (answer.status !== 200 || answer.body !== '{}') throw new Error(`POST /create/flavor ${n}: ${answer.status} ${answer.body}`);
    };

    // Correct before timed: both ways store the flavor, and both refuse a second create of it as ALREADY_EXISTS.
    await restCreate(-1);
    if (flavors.get(keyString.flavor({ name: `${REST_PREFIX}--1` }))?.ram !== 4096n) throw new Error('POST /create/flavor: flavor not stored');
    const again = await rest.post('/create/flavor', flavorBody(REST_PREFIX, -1));
    if (again.status !== 409 || (JSON.parse(again.body) as { code?: string }).code !== 'ALREADY_EXISTS') {
      throw new Error(`POST /create/flavor of an existing flavor gave ${again.status} ${again.body}, expected 409 ALREADY_EXISTS`);
    }
    await grpcCreate(-1);
    if (flavors.get(keyString.flavor({ name: `${GRPC_PREFIX}--1` }))?.ram !== 4096n) throw new Error('gRPC CreateFlavor: flavor not stored');
    const grpcAgain = await grpcCreate(-1).then(() => 'OK', (err: grpc.ServiceError) => grpc.status[err.code]);
    if (grpcAgain !== 'ALREADY_EXISTS') throw new Error(`gRPC CreateFlavor of an existing flavor gave ${grpcAgain}, expected ALREADY_EXISTS`);

    const calls = { rest: restCreate, grpc: grpcCreate };
    const next = { rest: 0, grpc: 0 };
    const latencies = { rest: [] as number[], grpc: [] as number[] };
    const cpuPerCallUs = { rest: [] as number[], grpc: [] as number[] };
    const run = async (name: keyof typeof calls, ms: number, timed: boolean): Promise<number> => {
      const pool = latencies[name];
      const call = calls[name];
      const cpu = process.cpuUsage();
      const r = await closedLoop(
        CONCURRENCY,
        ms,
        async (n) => {
          const t0 = performance.now();
          await call(n);
          if (timed) pool.push(performance.now() - t0);
        },
        next[name],
      );
      if (timed) cpuPerCallUs[name].push((cpuMsSince(cpu) * 1000) / r.calls);
      next[name] += r.calls;
      return r.perSecond;
    };
    await run('rest', CREATE.warmupMs, false);
    await run('grpc', CREATE.warmupMs, false);

    const r = await interleaveRuns({
      rounds: CREATE.rounds,
      candidates: { rest: () => run('rest', CREATE.durationMs, true), grpc: () => run('grpc', CREATE.durationMs, true) },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) => ctx.log(`create_flavor round ${round + 1}/${CREATE.rounds} ${name}: ${Math.round(perSec)} calls/s`),
    });

    // Every call that reported success stored its flavor (the two -1 flavors included).
    const count = (prefix: string): number => [...flavors.keys()].filter((k) => k.includes(prefix)).length;
    for (const [name, prefix] of [['rest', REST_PREFIX], ['grpc', GRPC_PREFIX]] as const) {
      const stored = count(prefix);
      if (stored !== next[name] + 1) throw new Error(`CreateFlavor (${name}): ${stored} flavors stored, expected ${next[name] + 1}`);
    }

    const cpu = { rest: stats(cpuPerCallUs.rest).median, grpc: stats(cpuPerCallUs.grpc).median };
    const msPerCall = (perSec: number): string => (1000 / perSec).toFixed(2);
    const dist = (s: readonly number[]): string =>
      `p50 ${percentile(s, 50).toFixed(2)}, p90 ${percentile(s, 90).toFixed(2)}, p99 ${percentile(s, 99).toFixed(2)}, max ${Math.max(...s).toFixed(2)} ms over ${s.length} calls`;
    const common =
      `one lmdb controller (temp dir), REST gateway on 127.0.0.1 started by ControllerConfig.httpAddr; ${CONCURRENCY} concurrent callers, closed loop, ` +
      `${CREATE.durationMs} ms per round, REST and gRPC alternating; REST: node:http, keep-alive Agent of ${CONCURRENCY} sockets, POST /create/flavor ` +
      `with the Flavor as proto3 JSON, answer 200 {}; baseline: gRPC CreateFlavor (one FlavorApiClient, ${CONCURRENCY} calls multiplexed) to the same controller`;
    return [
      {
        name: 'create_flavor_per_s',
        value: r.rest.median,
        unit: 'calls/s',
        baseline: r.grpc.median,
        note:
          `${common}; ${msPerCall(r.rest.median)} ms vs ${msPerCall(r.grpc.median)} ms per call (wall / throughput); process CPU per call ` +
          `(client + gateway + controller, one process) ${cpu.rest.toFixed(0)} µs REST vs ${cpu.grpc.toFixed(0)} µs gRPC; ` +
          `${next.rest + 1} REST + ${next.grpc + 1} gRPC flavors stored at the end, all checked; ` +
          `median of ${CREATE.rounds} rounds, ${spreadNote(r.rest)} (baseline ${spreadNote(r.grpc)})`,
      },
      {
        name: 'p99_create_ms',
        value: percentile(latencies.rest, 99),
        unit: 'ms',
        baseline: percentile(latencies.grpc, 99),
        note:
          `latency of each CreateFlavor call of create_flavor_per_s (request to answer, at ${CONCURRENCY} callers), pooled over its ${CREATE.rounds} rounds; ` +
          `REST: ${dist(latencies.rest)}; baseline gRPC: ${dist(latencies.grpc)}`,
      },
    ];
  } finally {
    grpcClient.close();
  }
}

// ---- show_objects_per_s -----------------------------------------------------------------------------------

/** A `{"result": {...}}` line of a streamed answer; `error` on a stream that failed after it started. */
interface NdjsonLine {
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

async function showFigure(ctx: BenchContext, ctl: RestBenchController, rest: RestClient): Promise<Figure> {
  const { objects, kinds } = ctl.controller;
  const cache = objects.cache(kinds.appInst);
  const seeded = performance.now();
  const txns = await seedAppInsts(ctl.controller, SHOW.objects);
  const seedMs = performance.now() - seeded;
  if (cache.size !== SHOW.objects) throw new Error(`the store holds ${cache.size} AppInsts, expected ${SHOW.objects}`);
  const encoded = [...cache.keys()].map((k) => cache.getEntry(k)!.bytes);
  const meanBytes = Math.round(encoded.reduce((s, b) => s + b.length, 0) / encoded.length);
  ctx.log(`stored ${SHOW.objects} AppInsts (mean ${meanBytes} B) in ${txns} transactions in ${(seedMs / 1000).toFixed(1)} s`);

  const grpcClient = new AppInstApiClient(ctl.apiAddress, insecure);
  try {
    // Correct before timed: a REST show filtered on one cloudlet sends exactly its AppInsts, each read back from
    // its JSON (strictly, as the gateway reads requests) encoding to the stored bytes. (The rounds check all 20k.)
    const site = appInst(0).key!.cluster_inst_key!.cloudlet_key!;
    const want = new Map<string, Uint8Array>();
    for (const k of cache.keys()) {
      const e = cache.getEntry(k)!;
      if (keyString.cloudlet(e.value.key?.cluster_inst_key?.cloudlet_key) === keyString.cloudlet(site)) want.set(k, e.bytes);
    }
    const filter = JSON.stringify(messageToJson(AppInst, AppInst.fromPartial({ key: { cluster_inst_key: { cloudlet_key: site } } })));
    const got: AppInst[] = [];
    const checked = await rest.postNdjson('/show/appinst', filter, (line) => {
      const { result, error } = line as NdjsonLine;
      if (error !== undefined || result === undefined) throw new Error(`POST /show/appinst sent ${JSON.stringify(line)}`);
      got.push(messageFromJson<AppInst>('edgeproto.AppInst', result));
    }, SHOW.deadlineMs);
    if (checked.status !== 200 || checked.contentType !== 'application/x-ndjson') throw new Error(`POST /show/appinst: ${checked.status} ${checked.contentType} ${checked.body}`);
    if (got.length !== want.size || want.size === 0) throw new Error(`filtered POST /show/appinst sent ${got.length} AppInsts, expected ${want.size}`);
    for (const ai of got) {
      const stored = want.get(keyString.appInst(ai.key));
      if (!stored || !Buffer.from(AppInst.encode(ai).finish()).equals(stored)) throw new Error('POST /show/appinst sent an AppInst that differs from the stored one');
    }

    const cpuMs = { rest: [] as number[], grpc: [] as number[] };
    let restBytes = 0;
    const restShow = async (): Promise<number> => {
      let results = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const answer = await rest.postNdjson('/show/appinst', '{}', (line) => {
        const { result, error } = line as NdjsonLine;
        if (error !== undefined) throw new Error(`POST /show/appinst failed mid-stream: ${error.code} ${error.message}`);
        if (typeof result === 'object' && result !== null) results++;
      }, SHOW.deadlineMs);
      const ms = performance.now() - started;
      cpuMs.rest.push(cpuMsSince(cpu));
      if (answer.status !== 200) throw new Error(`POST /show/appinst: ${answer.status} ${answer.body}`);
      if (results !== SHOW.objects || answer.lines !== SHOW.objects) throw new Error(`POST /show/appinst sent ${results} results in ${answer.lines} lines, expected ${SHOW.objects}`);
      restBytes = answer.bytes;
      return (results * 1000) / ms;
    };
    const all = AppInst.fromPartial({});
    const grpcShow = async (): Promise<number> => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const { count } = await withDeadline(countAll(grpcClient.showAppInst(all)), SHOW.deadlineMs, 'gRPC ShowAppInst');
      const ms = performance.now() - started;
      cpuMs.grpc.push(cpuMsSince(cpu));
      if (count !== SHOW.objects) throw new Error(`gRPC ShowAppInst sent ${count} AppInsts, expected ${SHOW.objects}`);
      return (count * 1000) / ms;
    };
    await restShow();
    await grpcShow();
    cpuMs.rest.length = 0;
    cpuMs.grpc.length = 0;

    const r = await interleaveRuns({
      rounds: SHOW.rounds,
      candidates: { rest: restShow, grpc: grpcShow },
      beforeEach: () => void forceGc(),
      onSample: (name, round, perSec) =>
        ctx.log(`show round ${round + 1}/${SHOW.rounds} ${name}: ${Math.round(perSec)} objects/s (${((SHOW.objects / perSec) * 1000).toFixed(0)} ms)`),
    });

    // Once-off split of the JSON work a REST show adds, on the same 20k (not part of the figure): the gateway's
    // messageToJson + JSON.stringify of every line, and the client's JSON.parse of it; vs the protobuf decode the
    // gRPC client does.
    const values = cache.values();
    forceGc();
    let t = performance.now();
    const lines = values.map((v) => JSON.stringify({ result: messageToJson(AppInst, v) }));
    const toJsonMs = performance.now() - t;
    forceGc();
    t = performance.now();
    for (const l of lines) JSON.parse(l);
    const parseMs = performance.now() - t;
    forceGc();
    t = performance.now();
    for (const b of encoded) AppInst.decode(b);
    const decodeMs = performance.now() - t;
    const perObj = (ms: number): string => `${((ms * 1000) / SHOW.objects).toFixed(1)} µs`;
    const cpu = { rest: stats(cpuMs.rest).median, grpc: stats(cpuMs.grpc).median };
    const lineBytes = Math.round(restBytes / SHOW.objects);

    return {
      name: 'show_objects_per_s',
      value: r.rest.median,
      unit: 'objects/s',
      baseline: r.grpc.median,
      note:
        `POST /show/appinst (body {}) of ${SHOW.objects} AppInsts (protobuf mean ${meanBytes} B, NDJSON line mean ${lineBytes} B) from an lmdb controller ` +
        `(seeded with seedAppInsts: ${txns} transactions of ${SEED_BATCH}, not timed), read over node:http with every line JSON.parse'd as it arrives, ` +
        `request to last line; baseline: gRPC ShowAppInst of the same ${SHOW.objects} to one AppInstApiClient reading to the end (messages decoded), same controller, ` +
        `alternating rounds; process CPU per object ${perObj(cpu.rest)} REST vs ${perObj(cpu.grpc)} gRPC; once-off split per object: gateway ` +
        `messageToJson + JSON.stringify ${perObj(toJsonMs)}, client JSON.parse ${perObj(parseMs)}, vs gRPC client protobuf decode ${perObj(decodeMs)}; ` +
        `median of ${SHOW.rounds} rounds, ${spreadNote(r.rest)} (baseline ${spreadNote(r.grpc)})`,
    };
  } finally {
    grpcClient.close();
  }
}

export const restSection: Section = {
  name: 'rest',
  description:
    'controller REST gateway over 127.0.0.1 vs the same controller\'s gRPC API: CreateFlavor calls/s and p99 at 16 callers; ' +
    'POST /show/appinst (NDJSON) of 20k AppInsts vs gRPC ShowAppInst',
  async run(ctx) {
    const ctl = await startRestController('lmdb');
    const rest = restClient(ctl.httpPort, CONCURRENCY);
    try {
      const create = await createFigures(ctx, ctl, rest);
      const show = await showFigure(ctx, ctl, rest);
      return [create[0]!, show, create[1]!];
    } finally {
      rest.close();
      await ctl.close();
    }
  },
};
