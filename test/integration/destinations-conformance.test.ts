// The conformance suite (test/helpers/conformance.ts) for the destinations that existed first:
// Kinesis, Firehose, DynamoDB and the local file.
import { conformanceSuite } from '../helpers/conformance.js';
import { dynamodbTarget, fileTarget, firehoseTarget, kinesisTarget } from '../helpers/conformance-targets.js';

conformanceSuite(kinesisTarget());
conformanceSuite(firehoseTarget());
conformanceSuite(dynamodbTarget());
conformanceSuite(fileTarget());
