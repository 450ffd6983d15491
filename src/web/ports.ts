/** Where the web UI and the Prometheus exporter listen unless told otherwise (light: read by the CLI's checks too). */
export const DEFAULT_WEB_PORT = 8089;
export const DEFAULT_PROMETHEUS_PORT = 9464;
