#!/usr/bin/env node
import { main } from './cli.js';

// tap runs every .ts file of a directory it is given, this entry point included; there,
// with no arguments, it is not being used as the command and must do nothing.
const listedByTap = process.env.TAP_CHILD_ID !== undefined && process.argv.length <= 2;
if (!listedByTap) process.exit(await main(process.argv.slice(2)));
