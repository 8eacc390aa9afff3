/**
 * Names and labels of everything the Docker driver creates. Every object carries the cloudlet's key string and
 * the key string of its instance as labels (read back at restart), plus short hash ids of both that the label
 * filters use; names derive from the hash of the instance's key, so a create can find its own leftovers.
 */
import { createHash } from 'node:crypto';
import type { InstanceKind } from '../../src/platform/platform.js';

/** Hex digits of the ids in names and id labels. */
const ID_LENGTH = 16;

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The label keys of one label prefix. */
export interface DockerLabelKeys {
  /** The cloudlet's key string (checked on every object found). */
  readonly cloudlet: string;
  /** Short hash of the cloudlet key (what the list filters use). */
  readonly cloudletId: string;
  /** `ClusterInst` or `AppInst`. */
  readonly kind: string;
  readonly appInst: string;
  readonly appInstId: string;
  readonly clusterInst: string;
  readonly clusterInstId: string;
  /** AppInst containers: `main` or the extra container's name. */
  readonly container: string;
  /** AppInst containers: how many containers the AppInst has in all. */
  readonly containers: string;
  /** ClusterInst records: the node count. */
  readonly numNodes: string;
  /** ClusterInst records: generation (the highest one is current). */
  readonly generation: string;
  /** ClusterInst network and records: the resolved network mode (`bridge`, `host`, `none`). */
  readonly network: string;
  /** ClusterInst network and records: the capacity it takes. */
  readonly vcpus: string;
  readonly ramMb: string;
  readonly diskGb: string;
  /** AppInst containers: the restart cap they were created with. */
  readonly restartMax: string;
}

/** Names and labels of one cloudlet's objects under one label prefix. Pure. */
export class DockerNaming {
  readonly labels: DockerLabelKeys;
  /** Hash id of the cloudlet key. */
  readonly cloudletId: string;

  constructor(
    readonly prefix: string,
    /** The cloudlet's key string. */
    readonly cloudletKey: string,
  ) {
    const l = (name: string): string => `${prefix}.${name}`;
    this.labels = {
      cloudlet: l('cloudlet'),
      cloudletId: l('cloudlet-id'),
      kind: l('kind'),
      appInst: l('appinst'),
      appInstId: l('appinst-id'),
      clusterInst: l('clusterinst'),
      clusterInstId: l('clusterinst-id'),
      container: l('container'),
      containers: l('containers'),
      numNodes: l('num-nodes'),
      generation: l('generation'),
      network: l('network'),
      vcpus: l('vcpus'),
      ramMb: l('ram-mb'),
      diskGb: l('disk-gb'),
      restartMax: l('restart-max'),
    };
    this.cloudletId = sha(cloudletKey).slice(0, ID_LENGTH);
  }

  /** Hash id of an instance key (of this cloudlet): 16 hex digits. */
  id(key: string): string {
    return sha(`${this.cloudletKey}\n${key}`).slice(0, ID_LENGTH);
  }

  /** `<prefix>-<id>-<name>`: the container `name` (`main` or an extra's name) of the AppInst `key`. */
  containerName(key: string, name: string): string {
    return `${this.prefix}-${this.id(key)}-${name}`;
  }

  /** `<prefix>-<id>`: the bridge network of the ClusterInst `key`. */
  networkName(key: string): string {
    return `${this.prefix}-${this.id(key)}`;
  }

  /** `<prefix>-<id>-g<generation>`: a record volume of the ClusterInst `key`. */
  recordName(key: string, generation: number): string {
    return `${this.prefix}-${this.id(key)}-g${generation}`;
  }

  /** The labels every object of this cloudlet carries. */
  base(kind: InstanceKind): Record<string, string> {
    return { [this.labels.cloudlet]: this.cloudletKey, [this.labels.cloudletId]: this.cloudletId, [this.labels.kind]: kind };
  }

  /** A list filter for the objects of this cloudlet (of one kind, and with extra `label=value` terms). */
  filter(kind?: InstanceKind, ...more: string[]): { label: string[] } {
    const label = [`${this.labels.cloudletId}=${this.cloudletId}`, ...more];
    if (kind) label.push(`${this.labels.kind}=${kind}`);
    return { label };
  }

  /** True when `labels` mark an object of this cloudlet (the full key string, not only its hash). */
  owns(labels: Readonly<Record<string, string>> | undefined | null): boolean {
    return labels?.[this.labels.cloudlet] === this.cloudletKey;
  }
}

export { describeKey } from '../common/describe-key.js';
