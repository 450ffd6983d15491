/** Stylesheets are bundled by Vite; importing one has no value for the code. */
declare module '*.css';
