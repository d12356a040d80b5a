import { CALENDAR_FEATURES } from '@meridian/signals';

export { calendarFeatures } from '@meridian/signals';

/** Known future inputs the bar path computes: the calendar (hour and weekday, sin and cos). */
export const CALENDAR_COLUMNS = CALENDAR_FEATURES.length;
