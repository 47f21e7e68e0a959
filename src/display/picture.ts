/**
 * A picture as a notebook shows it: the SVG, a PNG rendered from it, and a one-line text summary,
 * sent together as one bundle so that every front end finds a type it shows (an untrusted notebook
 * in JupyterLab and GitHub show the PNG; a terminal or a screen reader gets the text).
 */
import { renderPng } from "./raster";

/** What a {@link Picture} is made of. */
export interface PictureParts {
  /** The SVG document, with a `<title>` and a `<desc>`. */
  readonly svg: string;
  /** The picture's title. */
  readonly title: string;
  /** A one-line summary of the data drawn. */
  readonly text: string;
  /** The SVG's width in px, a whole number. */
  readonly width: number;
  /** The SVG's height in px, a whole number. */
  readonly height: number;
}

/**
 * The MIME bundle of a Jupyter `display_data` message: the picture in each type, and the size at
 * which the 2x PNG is to be shown.
 */
export interface DisplayData {
  /** The picture as SVG text, as a base64 PNG, and as one line of plain text. */
  readonly data: { readonly "image/svg+xml": string; readonly "image/png": string; readonly "text/plain": string };
  /** The PNG's size in CSS pixels (half its pixels), so that it shows as large as the SVG. */
  readonly metadata: { readonly "image/png": { readonly width: number; readonly height: number } };
}

/** How many PNG pixels per SVG pixel: 2, for sharp text on high-density screens. */
export const PNG_SCALE = 2;

/**
 * One picture made by the chart functions ({@link PictureParts} says what it holds). Show it in a
 * notebook with `show(picture)`; `String(picture)` is its text summary.
 */
export class Picture implements PictureParts {
  /** The SVG document, with a `<title>` and a `<desc>`. */
  readonly svg: string;
  /** The picture's title. */
  readonly title: string;
  /** A one-line summary of the data drawn, also in the SVG's `<desc>`. */
  readonly text: string;
  /** The SVG's width in px. */
  readonly width: number;
  /** The SVG's height in px. */
  readonly height: number;
  #png: Buffer | undefined;

  /**
   * Made by the chart functions; a picture from elsewhere needs the same parts.
   *
   * @param parts - see {@link PictureParts}.
   * @throws TypeError for a summary that is not one line, or a size that is not whole pixels.
   */
  constructor(parts: PictureParts) {
    if (typeof parts.text !== "string" || parts.text === "" || /[\r\n]/.test(parts.text)) {
      throw new TypeError(`Picture: the text summary must be one non-empty line; got ${JSON.stringify(parts.text)}.`);
    }
    for (const side of ["width", "height"] as const) {
      if (!(Number.isInteger(parts[side]) && parts[side] > 0)) throw new TypeError(`Picture: the ${side} is ${parts[side]}; it must be a whole number of px, 1 or more.`);
    }
    this.svg = parts.svg;
    this.title = parts.title;
    this.text = parts.text;
    this.width = parts.width;
    this.height = parts.height;
  }

  /** The PNG file, {@link PNG_SCALE} times the SVG's size, rendered once and kept. */
  png(): Buffer {
    this.#png ??= renderPng(this.svg, PNG_SCALE);
    return this.#png;
  }

  /** The bundle a notebook front end picks from: SVG, PNG and text in one `display_data`. */
  displayData(): DisplayData {
    return {
      data: { "image/svg+xml": this.svg, "image/png": this.png().toString("base64"), "text/plain": this.text },
      metadata: { "image/png": { width: this.width, height: this.height } },
    };
  }

  /** The one-line text summary. */
  toString(): string {
    return this.text;
  }
}
