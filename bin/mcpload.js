#!/usr/bin/env node
import { relaunchIfWanted } from '../dist/cli/relaunch.js';

if (!relaunchIfWanted()) await import('../dist/cli/main.js');
