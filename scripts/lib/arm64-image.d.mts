export const QEMU: string;
export const CROSS_PREFIX: string;

/** Fails loudly, naming the Debian packages, when the emulator or the arm64 runtime is missing. */
export function requireEmulator(): void;

export interface Arm64Tree {
  /** The release tree's folder (node/, app/, bin/, RELEASE.json). */
  tree: string;
  /** Its RELEASE.json, or null when it has none. */
  release: { version: string; [key: string]: unknown } | null;
  /** The packaged `countyline` under qemu: program and first arguments. */
  command: string[];
}

/** Builds the package into `dir` (about a minute) and unpacks its tarball there. */
export function buildArm64Tree(dir: string, opts?: { onLine?: (line: string) => void }): Promise<Arm64Tree>;
/** A release tree already on disk. */
export function openArm64Tree(tree: string): Arm64Tree;
