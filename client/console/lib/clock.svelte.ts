/**
 * One reactive "now" for every timer on the page (chat timers, wait times, offer countdown),
 * ticking once a second while at least one component uses it.
 */
class Clock {
  now = $state(Date.now());
  #users = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** Starts ticking; returns the function that stops it (use as an $effect/onMount cleanup). */
  use(): () => void {
    this.#users++;
    if (this.#timer === null) {
      this.now = Date.now();
      this.#timer = setInterval(() => (this.now = Date.now()), 1_000);
    }
    return () => {
      this.#users--;
      if (this.#users === 0 && this.#timer !== null) {
        clearInterval(this.#timer);
        this.#timer = null;
      }
    };
  }
}

export const clock = new Clock();
