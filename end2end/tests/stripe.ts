// Stripe events for the browser tests, signed with Stripe's own library as Stripe signs them.
import Stripe from 'stripe';
import { WEBHOOK_SECRET } from './server';

const stripe = new Stripe('sk_test_end2end_unused');

export function paidEvent(id: string, bookingId: number): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `cs_${id}`,
        object: 'checkout.session',
        amount_total: 4500,
        currency: 'usd',
        client_reference_id: String(bookingId),
        metadata: { bookingId: String(bookingId) },
        mode: 'payment',
        payment_intent: `pi_${id}`,
        payment_status: 'paid',
        status: 'complete',
      },
    },
  });
}

/** A card declined for booking `bookingId`, as Stripe reports it on the payment intent. */
export function failedEvent(id: string, bookingId: number, message = 'Your card was declined.'): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.payment_failed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `pi_${id}`,
        object: 'payment_intent',
        amount: 4500,
        currency: 'usd',
        metadata: { bookingId: String(bookingId) },
        status: 'requires_payment_method',
        last_payment_error: { message },
      },
    },
  });
}

/** The charge of `paidEvent(paidId, …)` refunded: `refunded` cents of it so far (all of it by
 * default). */
export function refundedEvent(id: string, paidId: string, bookingId: number, refunded = 4500): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'charge.refunded',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `ch_${id}`,
        object: 'charge',
        amount: 4500,
        amount_refunded: refunded,
        currency: 'usd',
        refunded: refunded >= 4500,
        payment_intent: `pi_${paidId}`,
        metadata: { bookingId: String(bookingId) },
      },
    },
  });
}

/** Posts `payload` to the webhook, signed as Stripe would sign it. */
export async function deliver(baseURL: string, payload: string): Promise<number> {
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  const res = await fetch(`${baseURL}/api/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: payload,
  });
  return res.status;
}

/** Books through the public server function; returns the booking id from the checkout. */
export async function book(
  baseURL: string,
  session: number,
  parent: string,
  email = `${parent.toLowerCase().replace(/[^a-z0-9]/g, '')}@example.com`,
): Promise<void> {
  const form = new URLSearchParams({
    session: String(session),
    parent_name: parent,
    parent_email: email,
    parent_phone: '',
    athlete_name: `Athlete of ${parent}`,
    athlete_age: '12',
    notes: '',
    emergency_name: 'Robin Parent',
    emergency_phone: '+44 7700 900123',
    consent: 'on',
  });
  const res = await fetch(`${baseURL}/api/book`, {
    method: 'POST',
    headers: { accept: 'application/json', origin: baseURL, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  if (res.status !== 200) throw new Error(`booking failed: ${res.status} ${await res.text()}`);
}
