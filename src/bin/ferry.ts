#!/usr/bin/env node
import { runFerry } from '../cli/ferry-commands.js';

process.exitCode = await runFerry(process.argv.slice(2));
