import type { Command } from 'commander';
import type { CliIO } from './main.js';
export function registerInit(_program: Command, _io: CliIO, _setExit: (c: number) => void): void {}
