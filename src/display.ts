/**
 * Static SVG pictures made from measured data: charts that JupyterLab, VS Code and GitHub all show
 * alike (no scripts). Nothing here knows about notebooks: each function returns an SVG string.
 *
 * @packageDocumentation
 */

/** Escapes text for use inside SVG/XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
