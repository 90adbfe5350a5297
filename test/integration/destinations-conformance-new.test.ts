// The conformance suite (test/helpers/conformance.ts) for CloudWatch Logs, CloudWatch metrics
// (moto_server) and Redis streams (redis-server).
import { conformanceSuite } from '../helpers/conformance.js';
import { cloudWatchLogsTarget, cloudWatchMetricsTarget, redisStreamTarget } from '../helpers/conformance-targets.js';

conformanceSuite(redisStreamTarget());
conformanceSuite(cloudWatchLogsTarget());
conformanceSuite(cloudWatchMetricsTarget());
