// Every notice in HTML and plain text, from one table: what each kind says, and which parts of the order
// it shows. User data reaches HTML only through the escaping `html` tag.
import type { Money } from '@emporium/platform';
import type { Order, OrderLine } from '@emporium/orders';
import { html, safeHref, type SafeHtml } from './html.ts';
import type { NoticeKind } from './types.ts';

/** Everything a template may show; looked up when the notice is sent. */
export interface NoticeView {
  kind: NoticeKind;
  recipientName: string;
  orderId: string;
  /** Absent when the order could not be read: the notice still goes out, without its lines. */
  order?: Order;
  /** For a seller's notice: only this seller's lines are shown. */
  sellerId?: string;
  refunded?: Money;
  storeUrl: string;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

interface NoticeCopy {
  subject: (ref: string) => string;
  headline: string;
  intro: (view: NoticeView) => string;
  lines: 'all' | 'seller' | 'none';
  address: boolean;
  /** Where the button points, under the store URL. */
  path: (view: NoticeView) => string;
}

const orderPath = (v: NoticeView) => `/orders/${v.orderId}`;

const COPY: Record<NoticeKind, NoticeCopy> = {
  order_confirmed: {
    subject: (ref) => `Your order ${ref} is confirmed`,
    headline: 'Thank you for your order',
    intro: (v) => `We have received your payment of ${totalOf(v)} and passed your order to the sellers.`,
    lines: 'all',
    address: true,
    path: orderPath,
  },
  order_shipped: {
    subject: (ref) => `Your order ${ref} has shipped`,
    headline: 'Your order is on its way',
    intro: () => 'Everything in your order has left the sellers.',
    lines: 'all',
    address: true,
    path: orderPath,
  },
  order_partially_shipped: {
    subject: (ref) => `Part of your order ${ref} has shipped`,
    headline: 'Part of your order is on its way',
    intro: () => 'Some items have shipped; we will write again when the rest follow.',
    lines: 'all',
    address: true,
    path: orderPath,
  },
  order_delivered: {
    subject: (ref) => `Your order ${ref} was delivered`,
    headline: 'Your order was delivered',
    intro: () => 'Your parcel has arrived. We hope you enjoy it.',
    lines: 'none',
    address: false,
    path: orderPath,
  },
  return_requested: {
    subject: (ref) => `We received your return request for order ${ref}`,
    headline: 'Return requested',
    intro: () => 'We have your return request; the seller will confirm how to send the items back.',
    lines: 'none',
    address: false,
    path: orderPath,
  },
  return_received: {
    subject: (ref) => `Your return for order ${ref} has arrived`,
    headline: 'Return received',
    intro: () => 'The seller has received your return. Your refund follows in a separate message.',
    lines: 'none',
    address: false,
    path: orderPath,
  },
  refund_issued: {
    subject: (ref) => `Refund for order ${ref}`,
    headline: 'Your refund is on its way',
    intro: (v) =>
      `We have refunded ${v.refunded ? formatMoney(v.refunded) : 'your payment'} to your card. ` +
      'It may take a few days to appear on your statement.',
    lines: 'none',
    address: false,
    path: orderPath,
  },
  seller_new_order: {
    subject: (ref) => `New order ${ref} to fulfil`,
    headline: 'You have a new order',
    intro: () => 'A customer has paid for the items below. Please prepare them for shipping.',
    lines: 'seller',
    address: true,
    path: (v) => `/seller/orders/${v.orderId}`,
  },
};

/** The first block of the order id: short enough for a subject, enough to find the order. */
export const orderRef = (orderId: string) => `#${orderId.slice(0, 8).toUpperCase()}`;

export function formatMoney(money: Money): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

const totalOf = (v: NoticeView) => (v.order ? formatMoney(v.order.total) : 'your order');

function linesOf(view: NoticeView, copy: NoticeCopy): OrderLine[] {
  if (copy.lines === 'none' || !view.order) return [];
  return copy.lines === 'seller'
    ? view.order.lines.filter((l) => l.sellerId === view.sellerId)
    : view.order.lines;
}

export function renderNotice(view: NoticeView): RenderedNotice {
  const copy = COPY[view.kind];
  const lines = linesOf(view, copy);
  const address = copy.address ? view.order?.shippingAddress : undefined;
  const link = view.storeUrl.replace(/\/$/, '') + copy.path(view);
  const intro = copy.intro(view);
  const addressLines = address
    ? [
        address.name,
        address.line1,
        address.line2,
        `${address.postalCode} ${address.city}`,
        address.region,
        address.country,
      ].filter((part): part is string => Boolean(part))
    : [];

  const text = [
    `Hello ${view.recipientName},`,
    '',
    copy.headline,
    intro,
    ...(lines.length > 0
      ? ['', ...lines.map((l) => `- ${l.quantity} x ${l.title} (${l.sku}): ${formatMoney(l.lineTotal)}`)]
      : []),
    ...(addressLines.length > 0 ? ['', 'Shipping to:', ...addressLines] : []),
    '',
    `Order ${orderRef(view.orderId)}: ${link}`,
    '',
    'Emporium',
  ].join('\n');

  const body: SafeHtml = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${copy.headline}</title>
      </head>
      <body style="font-family: sans-serif; color: #222; max-width: 600px; margin: 0 auto;">
        <p>Hello ${view.recipientName},</p>
        <h1 style="font-size: 20px;">${copy.headline}</h1>
        <p>${intro}</p>
        ${
          lines.length > 0 &&
          html`<table style="border-collapse: collapse; width: 100%;">
            <tr>
              <th align="left">Item</th>
              <th align="right">Qty</th>
              <th align="right">Total</th>
            </tr>
            ${lines.map(
              (l) =>
                html`<tr>
                  <td>${l.title} <small>(${l.sku})</small></td>
                  <td align="right">${l.quantity}</td>
                  <td align="right">${formatMoney(l.lineTotal)}</td>
                </tr> `,
            )}
          </table>`
        }
        ${addressLines.length > 0 && html`<p><strong>Shipping to:</strong><br />${addressLines.map((part, i) => html`${i > 0 && html`<br />`}${part}`)}</p>`}
        <p><a href="${safeHref(link)}">View order ${orderRef(view.orderId)}</a></p>
        <p style="color: #777;">Emporium</p>
      </body>
    </html>`;

  return { subject: copy.subject(orderRef(view.orderId)), text, html: body.value };
}
