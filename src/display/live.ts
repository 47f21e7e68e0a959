/**
 * A live picture: one output of the notebook that is redrawn in place while code runs. The first
 * frame is a `display_data` with a display id; each later frame replaces it (`update_display_data`
 * with the same id), so the notebook keeps one output, and when it is saved that output holds the
 * last frame sent, as the usual bundle (SVG + PNG + text): a freshly cloned notebook shows the final
 * state. Frames are throttled, a few a second, so that the front end is not flooded, and a frame
 * equal to the last one sent is not sent again. The frames in between carry the SVG and the text
 * only: rendering the PNG takes far longer than drawing the SVG (150 ms against 3 ms for notebook
 * 5's lock lanes), time the watched workers would lose, and a running cell's own output is trusted,
 * so the front end shows the SVG. The last frame ({@link LivePicture.finish}) carries all three.
 */
import { showAt } from "./show";
import type { Picture } from "./picture";

/** What {@link live} takes besides the drawing. */
export interface LiveOptions {
  /**
   * The most frames a second, 1 to {@link MAX_FPS} (default 4). Asks in between are merged: the
   * newest one is drawn once its turn comes.
   */
  readonly fps?: number;
  /**
   * Send the PNG with every frame, not only with the last (default false). For a picture redrawn
   * rarely that may never be finished, such as one redrawn after each call from a cell: then each
   * frame is stored whole, whichever is the last.
   */
  readonly pngEveryFrame?: boolean;
}

/** The most frames a second a live picture sends: more would flood the front end. */
export const MAX_FPS = 10;

/** How many live pictures this program has made, for their display ids. */
let made = 0;

/**
 * One live picture, made by {@link live}: ask for a new frame with {@link LivePicture.redraw}, or
 * let {@link LivePicture.follow} redraw it while some work runs; {@link LivePicture.finish} sends
 * the last frame.
 */
export class LivePicture {
  /** The display id of its one output. */
  readonly id: string;
  /** The least time between two frames, in ms. */
  readonly interval: number;
  readonly #frame: () => Picture;
  readonly #pngEveryFrame: boolean;
  #sent = 0;
  #lastSvg = "";
  #lastWhole = false;
  #lastAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;
  #failure: { error: unknown } | undefined;
  #waiting: (() => void)[] = [];

  /**
   * Made by {@link live}.
   *
   * @param frame - draws the picture as things stand now.
   * @param fps - the most frames a second.
   * @param pngEveryFrame - see {@link LiveOptions.pngEveryFrame}.
   */
  constructor(frame: () => Picture, fps: number, pngEveryFrame = false) {
    this.#frame = frame;
    this.#pngEveryFrame = pngEveryFrame;
    this.interval = 1000 / fps;
    this.id = `mp-live-${process.pid}-${++made}-${Date.now().toString(36)}`;
    this.#send(false);
  }

  /** How many frames it has sent (the first included; a frame equal to the last is not sent). */
  get frames(): number {
    return this.#sent;
  }

  /** Whether {@link LivePicture.finish} has sent its last frame. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Asks for a new frame: drawn and sent now if the last one went out at least
   * {@link LivePicture.interval} ms ago, otherwise once that time is up (several asks in the
   * meantime make one frame, drawn then).
   *
   * @throws Error once the picture is finished.
   */
  redraw(): void {
    this.#open("redraw()");
    if (this.#timer !== undefined) return;
    const wait = this.#lastAt + this.interval - Date.now();
    if (wait <= 0) {
      this.#send(true);
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sendLater();
      this.#settle();
    }, wait);
  }

  /**
   * Resolves once no frame is waiting for its turn: the last redraw asked for has been sent. A cell
   * that redraws and then ends should await it, so that its last frame goes out while it runs.
   */
  whenDrawn(): Promise<void> {
    if (this.#timer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Resolves the promises of {@link LivePicture.whenDrawn}. */
  #settle(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  /**
   * Redraws the picture as often as it may while `work` runs, then sends the last frame
   * ({@link LivePicture.finish}) whether the work succeeded or failed.
   *
   * @param work - what to watch, such as the promise of `Promise.all(procs.map((p) => p.join()))`.
   * @returns what `work` resolves to.
   */
  async follow<T>(work: Promise<T>): Promise<T> {
    this.#open("follow()");
    const ticker = setInterval(() => {
      if (this.#failure !== undefined) return;
      try {
        this.redraw();
      } catch (error) {
        this.#failure = { error };
      }
    }, this.interval);
    try {
      return await work;
    } finally {
      clearInterval(ticker);
      this.finish();
    }
  }

  /**
   * Sends the last frame now, drawn as things stand (unless it is the frame already shown); the
   * output keeps it, and a saved notebook stores it. A second call does nothing.
   *
   * @throws what the drawing function threw while drawing a frame on its own (from a timer).
   */
  finish(): void {
    if (this.#finished) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#finished = true;
    this.#settle();
    if (this.#failure !== undefined) throw this.#failure.error;
    this.#send(true, true);
  }

  /** Throws if the picture is finished, or what a frame drawn from a timer threw. */
  #open(call: string): void {
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#finished) throw new Error(`live picture ${call}: this picture is finished (its last frame is shown); make a new one with draw.live().`);
  }

  /** Sends a frame from a timer, keeping what it throws for the next call rather than losing it. */
  #sendLater(): void {
    try {
      this.#send(true);
    } catch (error) {
      this.#failure = { error };
    }
  }

  /**
   * Draws a frame and, unless it is the one already shown, sends it: with its PNG if it is the last
   * (or every frame has one); the last frame, if it is the one shown but that went without a PNG,
   * is sent again whole.
   */
  #send(update: boolean, last = false): void {
    const picture = this.#frame();
    if (typeof picture?.displayData !== "function") {
      throw new TypeError("draw.live(): the drawing function must return a picture made by lineChart(), barChart(), timelineChart(), spanChart() or sideBySide().");
    }
    this.#lastAt = Date.now();
    const whole = last || this.#pngEveryFrame;
    if (update && picture.svg === this.#lastSvg && (this.#lastWhole || !whole)) return;
    showAt(picture, { id: this.id, update }, "draw.live()", whole);
    this.#lastSvg = picture.svg;
    this.#lastWhole = whole;
    this.#sent++;
  }
}

/**
 * Shows a picture that changes while code runs: `frame()` is drawn now, and again each time the
 * picture is redrawn, replacing the same output in place (at most `fps` times a second). The
 * output keeps the last frame, so a saved notebook shows the final state.
 *
 * @example
 * ```ts
 * const view = draw.live(() => draw.barChart({ title: "Balance", groups: ["now"], series: [{ name: "balance", values: [balance.value] }] }));
 * await view.follow(Promise.all(procs.map((p) => p.join())));
 * ```
 * @param frame - draws the picture as things stand now (read shared memory, build a chart).
 * @param options - see {@link LiveOptions}.
 * @returns the live picture, to redraw, follow work with, or finish.
 * @throws TypeError for a `frame` that is not a function or does not return a picture; RangeError
 *   for an `fps` outside 1 to {@link MAX_FPS}; MpError where the host cannot show pictures (a plain
 *   Node program).
 */
export function live(frame: () => Picture, options: LiveOptions = {}): LivePicture {
  if (typeof frame !== "function") throw new TypeError("draw.live(): pass a function that draws the picture as things stand, such as () => draw.barChart({ ... }).");
  const fps = options.fps ?? 4;
  if (!(typeof fps === "number" && fps >= 1 && fps <= MAX_FPS)) {
    throw new RangeError(`draw.live(): fps is ${String(fps)}; it must be a number from 1 to ${MAX_FPS} (frames a second; a front end cannot show more).`);
  }
  if (options.pngEveryFrame !== undefined && typeof options.pngEveryFrame !== "boolean") throw new TypeError(`draw.live(): pngEveryFrame must be true or false, not ${String(options.pngEveryFrame)}.`);
  return new LivePicture(frame, fps, options.pngEveryFrame);
}
