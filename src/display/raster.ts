/**
 * Renders an SVG to PNG with resvg and the Inter font shipped in an npm package, never the fonts of
 * the machine, so that a PNG made anywhere has the same legible text.
 */
import { Resvg } from "@resvg/resvg-js";

/** The font family the pictures name first, and the only one the PNG renderer has. */
export const FONT_FAMILY = "Inter";

/** Inter's regular and bold faces, the two weights the pictures use. */
const FONT_FILES = ["400Regular/Inter_400Regular.ttf", "700Bold/Inter_700Bold.ttf"].map((file) => require.resolve(`@expo-google-fonts/inter/${file}`));

/**
 * Draws `svg` as a PNG `scale` times its own size (its `width` and `height`), text in
 * {@link FONT_FAMILY}.
 *
 * @param svg - an SVG document.
 * @param scale - pixels per SVG pixel (default 2, for sharp pictures on high-density screens).
 * @returns the PNG file's bytes.
 * @throws RangeError for a scale that is not a positive finite number; resvg's Error for an SVG it
 *   cannot parse.
 */
export function renderPng(svg: string, scale = 2): Buffer {
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`renderPng(): the scale is ${scale}; it must be a positive number, such as 2.`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    logLevel: "off",
  });
  return resvg.render().asPng();
}
