/**
 * The widget's link to the community page. A module of its own (not shared/i18n/community.ts) so
 * the widget's lazily loaded pre-chat form bundles two strings, not the community's dictionary.
 */
export const enWidgetCommunity = {
  'widget.community.link': 'Ask the community',
  'widget.community.hint': 'Other customers and our team answer there (opens in a new tab).',
} as const;

export type WidgetCommunityKey = keyof typeof enWidgetCommunity;

export const deWidgetCommunity: Record<WidgetCommunityKey, string> = {
  'widget.community.link': 'Die Community fragen',
  'widget.community.hint': 'Dort antworten andere Kunden und unser Team (öffnet einen neuen Tab).',
};
