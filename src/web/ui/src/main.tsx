/**
 * Entry point. With an embedded report (the HTML report file) the page shows
 * that data and talks to no server; otherwise it follows the live stream.
 */
import { render } from 'preact';
import type { ReportData } from '../../../report/view-model.js';
import { connectLive } from './api.js';
import { App } from './app.js';
import { store } from './store.js';
import './styles.css';

const embedded = document.getElementById('mcpload-report');
if (embedded?.textContent) {
  store.loadReport(JSON.parse(embedded.textContent) as ReportData);
} else {
  connectLive();
}
const root = document.getElementById('app');
if (root) render(<App />, root);
