import { runService } from '@meridian/runtime';
import { inferenceService } from './service';

runService(inferenceService);
