// The ELF header fields that say what machine a binary is for (System V ABI, "ELF Header":
// e_ident[EI_CLASS] at 4, e_ident[EI_DATA] at 5, e_machine at 18).
import { closeSync, openSync, readSync } from 'node:fs';

export const EM_AARCH64 = 183;

const MACHINES = { 3: 'x86 (i386)', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM (32-bit)', 62: 'x86-64', 183: 'aarch64', 243: 'RISC-V' };

/** `{ machine, machineName, bits }` of an ELF file, or null if the file is not ELF. */
export function readElfHeader(file) {
  const head = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  let got;
  try {
    got = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (got < 20 || head.readUInt32BE(0) !== 0x7f454c46) return null;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return { machine, machineName: MACHINES[machine] ?? `machine ${machine}`, bits: head[4] === 2 ? 64 : 32 };
}
