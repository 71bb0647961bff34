// Stripe's own webhook signer and verifier (the official `stripe` package), for the Rust tests.
//   node stripe-signature.cjs sign SECRET TIMESTAMP   < payload   -> prints the Stripe-Signature header
//   node stripe-signature.cjs verify SECRET HEADER    < payload   -> exit 0 when Stripe accepts it
const Stripe = require('stripe');

const stripe = new Stripe('sk_test_signature_tool_only');
const [command, secret, arg] = process.argv.slice(2);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const payload = Buffer.concat(chunks).toString('utf8');
  if (command === 'sign') {
    const timestamp = Number(arg);
    process.stdout.write(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }));
  } else if (command === 'verify') {
    try {
      stripe.webhooks.constructEvent(payload, arg, secret, 300);
    } catch (e) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: stripe-signature.cjs sign|verify SECRET ARG < payload\n');
    process.exit(2);
  }
});
