/**
 * Pictures made from measured data, for the notebooks: `import * as draw from "../dist/display"`.
 * A separate entry from the library, so that workers never load the PNG renderer.
 *
 * @packageDocumentation
 */
export * from "./charts";
export { Picture, PNG_SCALE } from "./picture";
export type { DisplayData, PictureParts } from "./picture";
export { FONT_FAMILY, renderPng } from "./raster";
export { show } from "./show";
export { live, LivePicture, MAX_FPS, type LiveOptions } from "./live";
