#!/usr/bin/env node
import './threadpool-size.js';
import { runFerryd } from '../cli/ferryd.js';

process.exitCode = await runFerryd(process.argv.slice(2));
